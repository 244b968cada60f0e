/**
 * runGate with an in-memory platform: exit codes and what gets published for each way a run
 * can end before or without traffic moving. (Rollout paths are covered against the simulator.)
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runGate } from '../../src/app.js';
import { MemoryStateStore } from '../../src/core/state.js';
import { UsageError, type GateInputs, type Platform } from '../../src/platform/types.js';
import type { Report } from '../../src/report/result.js';
import type { CommitCollection } from '../../src/trigger/types.js';
import { VirtualClock } from '../support/virtual-clock.js';

class RecordingPlatform implements Platform {
  readonly name = 'local' as const;
  readonly state = new MemoryStateStore();
  readonly published: Report[] = [];
  readonly lines: string[] = [];
  readonly log = {
    info: (m: string) => this.lines.push(`info: ${m}`),
    warn: (m: string) => this.lines.push(`warn: ${m}`),
    error: (m: string) => this.lines.push(`error: ${m}`),
    debug: () => undefined,
  };
  constructor(
    private readonly inputs: Partial<GateInputs> | (() => GateInputs),
    private readonly commits: CommitCollection | (() => Promise<CommitCollection>),
  ) {}
  readInputs(): GateInputs {
    if (typeof this.inputs === 'function') return this.inputs();
    return { command: 'release', configPath: 'model-release.yml', configExplicit: false, overrides: [], force: false, workspace: mkdtempSync(join(tmpdir(), 'mrg-app-')), ...this.inputs };
  }
  async collectCommits(): Promise<CommitCollection> {
    return typeof this.commits === 'function' ? this.commits() : this.commits;
  }
  async publish(report: Report): Promise<void> {
    this.published.push(report);
  }
}

const feat: CommitCollection = { commits: [{ sha: 'a'.repeat(40), message: 'Feat (Api): batch scoring' }], source: 'test', warnings: [] };
const docs: CommitCollection = { commits: [{ sha: 'b'.repeat(40), message: 'docs: readme' }], source: 'test', warnings: [] };
const deps = () => ({ clock: new VirtualClock(), createTarget: () => { throw new Error('no target expected in this test'); } });

describe('runGate', () => {
  it('exits 0 and reports skipped when no commit targets the API', async () => {
    const platform = new RecordingPlatform({}, docs);
    expect(await runGate(platform, deps())).toBe(0);
    expect(platform.published[0]).toMatchObject({ outcome: 'skipped', exitCode: 0, outputs: { release: 'false', outcome: 'skipped' } });
  });

  it('exits 0 with release=true but nothing deployed when no rollout is configured', async () => {
    const platform = new RecordingPlatform({}, feat);
    expect(await runGate(platform, deps())).toBe(0);
    const report = platform.published[0]!;
    expect(report.outputs).toMatchObject({ release: 'true', bump: 'minor' });
    expect(report.headline).toContain('nothing was deployed');
  });

  it('exits 2 on a bad config, publishing each error with its file, line and column, before reading commits', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'mrg-app-'));
    writeFileSync(join(workspace, 'gate.yml'), 'rollout:\n  step: 0\n');
    let commitsRead = false;
    const platform = new RecordingPlatform({ workspace, configPath: 'gate.yml', configExplicit: true }, async () => {
      commitsRead = true;
      return feat;
    });
    expect(await runGate(platform, deps())).toBe(2);
    expect(commitsRead).toBe(false);
    const report = platform.published[0]!;
    expect(report.outcome).toBe('aborted');
    expect(report.results[0]).toMatchObject({ gate: 'config', status: 'error', location: { file: 'gate.yml', line: 2, column: 9 } });
    expect(report.results[0]!.message).toBe('gate.yml:2:9 rollout.step: must be a number from 1 to 100');
  });

  it('exits 2 on bad inputs', async () => {
    const platform = new RecordingPlatform(() => { throw new UsageError("input 'force' must be true or false, got 'maybe'"); }, feat);
    expect(await runGate(platform, deps())).toBe(2);
    expect(platform.published[0]!.results[0]).toMatchObject({ status: 'error', message: "input 'force' must be true or false, got 'maybe'" });
    // Reported once, through the report: nothing logged beside it (GitHub would annotate twice).
    expect(platform.lines.filter((l) => l.startsWith('error:'))).toEqual([]);
  });

  it('exits 2 when the commits cannot be read, saying why', async () => {
    const platform = new RecordingPlatform({}, async () => { throw new Error("push event payload has no 'after' SHA"); });
    expect(await runGate(platform, deps())).toBe(2);
    expect(platform.published[0]!.results[0]!.message).toContain("push event payload has no 'after' SHA");
  });

  it('turns an unexpected failure into exit 1 with a message instead of a crash', async () => {
    const platform = new RecordingPlatform(() => { throw new TypeError('boom'); }, feat);
    expect(await runGate(platform, deps())).toBe(1);
    expect(platform.lines).toContain('error: model-release-gate failed unexpectedly: boom');
  });
});
