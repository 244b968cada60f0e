/**
 * `npm run demo` is the README's promise to a new user: keep it true. Runs the demo as a user
 * would and checks every scenario ended as it says it does.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../support/run-bundle.js';

describe('npm run demo', () => {
  it('runs every scenario end-to-end on the simulator and each ends as expected', () => {
    const run = spawnSync(process.execPath, [join(repoRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'demo/run.ts'], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 120_000,
      // No real AWS endpoint or credentials may leak in: the demo sets its own for the simulator.
      env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_'))) as NodeJS.ProcessEnv,
    });
    expect(run.status).toBe(0);
    const summary = run.stdout.slice(run.stdout.lastIndexOf('Summary'));
    const lines = summary.split('\n').filter((l) => /^(ok|FAIL)\s/.test(l));
    expect(lines).toHaveLength(12);
    expect(lines.every((l) => l.startsWith('ok'))).toBe(true);
    expect(summary).toContain('healthy release: promoted');
    // Scenario 2 deploys demo/code/churn-model.zip: the promoted version holds exactly its code.
    expect(summary).toMatch(/ok\s+deployed code is the zip: \S+ \(expected/);
    expect(summary).toContain('regression: rolled-back');
    expect(summary).toContain('compare judge, 2% baseline errors: promoted');
    // The SageMaker endpoint: a shadow phase then a canary promoted; the next model rolled back.
    expect(summary).toContain('SageMaker shadow phase, then canary: promoted');
    expect(summary).toContain('SageMaker regression: rolled-back');
    expect(run.stdout).toMatch(/Shadow phase passed after .* mirrored calls/);
    // A version healthy by AWS/Lambda metrics, stopped by the business metric it emits (EMF).
    expect(summary).toContain('business metric (fallback share): rolled-back');
    expect(run.stdout).toMatch(/Metric fallback-share .* is above max 0\.05/);
    // Each rollout reads once: in its report's timeline, not again in the live log above it.
    const output = `${run.stdout}\n${run.stderr}`;
    const timelines = output.split('\n').filter((l) => l.startsWith('Rollout timeline')).length;
    expect(timelines).toBe(6);
    expect(output.split('\n').filter((l) => / preflight /.test(l))).toHaveLength(timelines);
    expect(run.stderr).not.toMatch(/^rollout: \[\+/m);
  }, 150_000);
});
