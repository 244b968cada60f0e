import { annotationsFor, MAX_ANNOTATIONS_PER_LEVEL } from '../../src/report/annotations.js';
import type { Annotation } from '../../src/report/annotations.js';
import { configError, manyFailures, promotedRollout, rolledBackRollout, skippedTriggerOnly } from './report-fixtures.js';

const ofLevel = (annotations: Annotation[], level: Annotation['level']) => annotations.filter((a) => a.level === level);

describe('annotationsFor', () => {
  it('turns warnings into warnings and the outcome into one notice', () => {
    const annotations = annotationsFor(promotedRollout());
    expect(ofLevel(annotations, 'error')).toEqual([]);
    expect(ofLevel(annotations, 'warning')).toEqual([
      {
        level: 'warning',
        title: 'model warn: model.precision',
        message: 'Precision is within 0.5 points of the floor. (observed 0.9123, expected >= 0.91)',
      },
    ]);
    expect(ofLevel(annotations, 'notice')).toEqual([
      {
        level: 'notice',
        title: 'model-release-gate: promoted',
        message: 'Released version 7 of churn-api: alias prod promoted after 2 steps.',
      },
    ]);
  });

  it('makes a failed rollout step an error and ends with exactly one notice', () => {
    const annotations = annotationsFor(rolledBackRollout());
    expect(annotations.map((a) => a.level)).toEqual(['error', 'notice']);
    expect(annotations[0]?.title).toBe('rollout fail: rollout.step-1');
    expect(annotations[0]?.message).toBe('3 errors in the last 5 minutes (max 0). (observed 3, expected 0)');
    expect(annotations[1]?.title).toBe('model-release-gate: rolled-back');
  });

  it('points a config error at its file, line and column', () => {
    const [error] = annotationsFor(configError());
    expect(error).toMatchObject({
      level: 'error',
      file: '.model-release.yml',
      startLine: 12,
      startColumn: 5,
    });
  });

  it('omits location fields the result does not have', () => {
    const [error] = annotationsFor(rolledBackRollout());
    expect(error).not.toHaveProperty('file');
    expect(error).not.toHaveProperty('startLine');
  });

  it('skips and passes produce no annotation besides the notice', () => {
    expect(annotationsFor(skippedTriggerOnly()).map((a) => a.level)).toEqual(['notice']);
  });

  it('caps each level at 10, the 10th saying how many more there are', () => {
    const annotations = annotationsFor(manyFailures());
    const errors = ofLevel(annotations, 'error');
    const warnings = ofLevel(annotations, 'warning');
    expect(MAX_ANNOTATIONS_PER_LEVEL).toBe(10);
    expect(errors).toHaveLength(10);
    expect(errors.slice(0, 9).map((a) => a.title)).toEqual(
      Array.from({ length: 9 }, (_, i) => `data fail: data.missing.col-${i + 1}`),
    );
    expect(errors[9]?.message).toBe('… and 16 more errors: see the job summary');
    expect(warnings).toHaveLength(10);
    expect(warnings[9]?.message).toBe('… and 3 more warnings: see the job summary');
    expect(ofLevel(annotations, 'notice')).toHaveLength(1);
  });

  it('does not summarise when a level has exactly 10', () => {
    const report = manyFailures();
    report.results = report.results.slice(0, 10);
    const errors = ofLevel(annotationsFor(report), 'error');
    expect(errors).toHaveLength(10);
    expect(errors[9]?.title).toBe('data fail: data.missing.col-10');
  });
});
