/**
 * `model-release-gate validate`: offline (no AWS, no commits), config + feasibility of the plan.
 * Exit 2 for a plan that can never pass, 0 with warnings otherwise.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runGate } from '../../src/app.js';
import { MemoryStateStore } from '../../src/core/state.js';
import { CLI_COMMANDS, CliPlatform, parseCli } from '../../src/platform/cli.js';
import { HELP } from '../../src/platform/cli-help.js';
import type { GateInputs, Platform } from '../../src/platform/types.js';
import type { Report } from '../../src/report/result.js';
import { VirtualClock } from '../support/virtual-clock.js';

class RecordingPlatform implements Platform {
  readonly name = 'local' as const;
  readonly state = new MemoryStateStore();
  readonly published: Report[] = [];
  commitsRead = false;
  readonly log = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };
  constructor(private readonly inputs: GateInputs) {}
  readInputs(): GateInputs {
    return this.inputs;
  }
  async collectCommits(): Promise<never> {
    this.commitsRead = true;
    throw new Error('validate reads no commits');
  }
  async publish(report: Report): Promise<void> {
    this.published.push(report);
  }
}

const TARGET = `target:
  function-name: churn-model
  alias: prod
  region: us-east-1
`;

async function validate(configText: string | undefined, overrides: GateInputs['overrides'] = []): Promise<{ code: number; report: Report; platform: RecordingPlatform }> {
  const workspace = mkdtempSync(join(tmpdir(), 'mrg-validate-'));
  if (configText !== undefined) writeFileSync(join(workspace, 'model-release.yml'), configText);
  const platform = new RecordingPlatform({ command: 'validate', configPath: 'model-release.yml', configExplicit: configText !== undefined, overrides, force: false, workspace });
  const code = await runGate(platform, {
    clock: new VirtualClock(),
    // Offline: no target may be created (no AWS client, no call).
    createTarget: () => {
      throw new Error('validate must not touch AWS');
    },
    env: {},
  });
  expect(platform.commitsRead).toBe(false);
  expect(platform.published).toHaveLength(1);
  return { code, report: platform.published[0]!, platform };
}

describe('validate', () => {
  it('exits 2 for a plan that can never pass, naming the step and the numbers', async () => {
    const { code, report } = await validate(`${TARGET}rollout:\n  preset: Linear10PercentEvery1Minute\n  max-extension: 30s\n`);
    expect(code).toBe(2);
    expect(report).toMatchObject({ command: 'validate', outcome: 'checked', exitCode: 2 });
    expect(report.headline).toMatch(/^The rollout plan can never pass: Step 1 \(10%\) can never be judged: it lasts 1m with up to 30s of extension/);
    expect(report.results.map((r) => [r.id, r.status])).toEqual([
      ['config.valid', 'pass'],
      ['rollout.plan', 'error'],
      ...[1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => [`rollout.plan.step-${n}`, 'error']),
    ]);
  });

  it('exits 0 with a warning and the numbers when a step depends on more traffic than expected', async () => {
    const { code, report } = await validate(`${TARGET}rollout:\n  strategy: canary\n  percent: 5\n  interval: 5m\n  min-invocations: 50\n  expected-rpm: 120\n`);
    expect(code).toBe(0);
    expect(report.headline).toBe('model-release.yml is valid; the plan can be judged, with 1 warning.');
    const warning = report.results.find((r) => r.id === 'rollout.plan.step-1');
    // 120 req/min × 5 % = 6 a minute; 4 whole minutes readable inside the 5m window by the deadline (10m).
    expect(warning).toMatchObject({ status: 'warn', observed: 24, expected: 50 });
    expect(warning?.message).toContain('at the expected 120 req/min, 5% is about 6 invocations a minute');
    expect(warning?.message).toContain('it needs at least 250 req/min');
  });

  it('exits 0 for a plan that can be judged, saying how much traffic it needs; `--set` overrides apply', async () => {
    const { code, report } = await validate(`${TARGET}rollout:\n  preset: Canary10Percent5Minutes\n`, [{ path: 'rollout.expected-rpm', value: '600', source: 'flag --set' }]);
    expect(code).toBe(0);
    expect(report.results.map((r) => r.status)).toEqual(['pass', 'pass']);
    expect(report.headline).toMatch(/^model-release.yml is valid\. Every step can be judged on its own traffic before its deadline\. 2 steps, expected duration 8m/);
  });

  it('exits 0 without a rollout section, and 2 for an invalid config', async () => {
    const none = await validate(TARGET);
    expect(none.code).toBe(0);
    expect(none.report.results.find((r) => r.id === 'rollout.plan')?.status).toBe('skip');
    const invalid = await validate(`${TARGET}rollout:\n  expected-rpm: 0\n`);
    expect(invalid.code).toBe(2);
    expect(invalid.report.results[0]?.message).toMatch(/rollout\.expected-rpm/);
  });
});

describe('the validate command on the command line', () => {
  it('is a command with its own help', () => {
    expect(CLI_COMMANDS).toContain('validate');
    expect(parseCli(['validate', '--config', 'x.yml', '--set', 'rollout.expected-rpm=300'])).toEqual({
      command: 'validate',
      options: { config: 'x.yml', set: ['rollout.expected-rpm=300'] },
    });
    expect(HELP.main).toMatch(/^ {2}validate +check the config and whether the rollout plan can be judged \(no AWS access\)$/m);
    expect(HELP.validate).toContain('Usage: model-release-gate validate [--config <path>]');
    const inputs = new CliPlatform('validate', { config: 'x.yml', set: ['rollout.expected-rpm=300'] }, {}).readInputs();
    expect(inputs).toMatchObject({ command: 'validate', configPath: 'x.yml', overrides: [{ path: 'rollout.expected-rpm', value: '300' }] });
  });
});
