/**
 * The action as a runner checks it out: dist/ alone, no node_modules anywhere above it.
 * Proves the bundle is self-contained (DuckDB, the one external, is only loaded on demand by
 * the data gate), so a trigger-only run starts and finishes on a bare runner.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inputEnv, parseFileCommands, repoRoot } from '../support/run-bundle.js';

describe('dist/ without node_modules', () => {
  it('runs a push through dist/main.js copied out of the repository', () => {
    const root = mkdtempSync(join(tmpdir(), 'mrg-bare-runner-'));
    const action = join(root, 'actions', 'model-release-gate');
    mkdirSync(join(action, 'dist'), { recursive: true });
    for (const file of ['main.js', 'post.js', 'package.json']) copyFileSync(join(repoRoot, 'dist', file), join(action, 'dist', file));
    const workspace = join(root, 'workspace');
    mkdirSync(workspace);
    const event = join(root, 'event.json');
    writeFileSync(event, JSON.stringify({
      ref: 'refs/heads/main', before: 'a'.repeat(40), after: 'b'.repeat(40), forced: false, deleted: false, created: false,
      repository: { full_name: 'acme/churn-api', name: 'churn-api', owner: { login: 'acme' }, default_branch: 'main' },
      commits: [{ id: 'b'.repeat(40), message: 'Feat (Api): batch scoring' }],
      head_commit: { id: 'b'.repeat(40), message: 'Feat (Api): batch scoring' },
    }));
    const output = join(root, 'output');
    writeFileSync(output, '');
    const run = spawnSync(process.execPath, [join(action, 'dist', 'main.js')], {
      cwd: workspace,
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH ?? '',
        GITHUB_ACTIONS: 'true', GITHUB_EVENT_NAME: 'push', GITHUB_EVENT_PATH: event, GITHUB_OUTPUT: output,
        GITHUB_REPOSITORY: 'acme/churn-api', GITHUB_WORKSPACE: workspace, GITHUB_SHA: 'b'.repeat(40),
        ...inputEnv({ command: 'release', 'github-token': 'ghs_x', force: 'false' }),
      },
    });
    expect(run.stderr).not.toMatch(/Cannot find (module|package)/);
    expect(run.status).toBe(0);
    expect(parseFileCommands(readFileSync(output, 'utf8'))).toMatchObject({ release: 'true', bump: 'minor', outcome: 'skipped' });
  });
});
