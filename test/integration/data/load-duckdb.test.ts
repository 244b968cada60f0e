/**
 * DuckDB from the tool cache, for real: with node_modules switched off, the first load runs
 * `npm install` of the pinned version into $RUNNER_TOOL_CACHE, the second reuses it.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DUCKDB_PACKAGE, DUCKDB_VERSION, INSTALL_MARKER, loadDuckDb, toolCacheDir } from '../../../src/data/engine/load-duckdb.js';
import type { NpmRunner } from '../../../src/data/engine/load-duckdb.js';
import { DuckDbEngine } from '../../../src/data/engine/duckdb-engine.js';

it('pins the version package.json depends on', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { dependencies: Record<string, string> };
  expect(pkg.dependencies[DUCKDB_PACKAGE]).toBe(DUCKDB_VERSION);
});

it('loads from node_modules when it is there, without npm', async () => {
  let npmCalls = 0;
  const npm: NpmRunner = async () => {
    npmCalls++;
  };
  const duckdb = await loadDuckDb({ runNpm: npm, env: { RUNNER_TOOL_CACHE: '/nonexistent' } });
  expect(typeof duckdb.DuckDBInstance.create).toBe('function');
  expect(npmCalls).toBe(0);
});

describe('the tool cache', () => {
  const cache = mkdtempSync(join(tmpdir(), 'mrg-toolcache-'));
  afterAll(() => rmSync(cache, { recursive: true, force: true }));
  const env = { RUNNER_TOOL_CACHE: cache };
  const notInNodeModules = async () => undefined;

  it('installs the pinned version on first use and reuses it afterwards', async () => {
    const realNpm = (await import('node:child_process')).execFile;
    let npmCalls = 0;
    const runNpm: NpmRunner = (args, cwd) => {
      npmCalls++;
      return new Promise((resolve, reject) => realNpm('npm', args, { cwd }, (error, _out, stderr) => (error ? reject(new Error(stderr || error.message)) : resolve())));
    };
    const logs: string[] = [];
    const first = await loadDuckDb({ env, importFromNodeModules: notInNodeModules, runNpm, log: (l) => logs.push(l) });
    const dir = toolCacheDir(env);
    expect(dir).toBe(join(cache, 'model-release-gate-duckdb', DUCKDB_VERSION));
    expect(npmCalls).toBe(1);
    expect(existsSync(join(dir, INSTALL_MARKER))).toBe(true);
    expect(logs).toEqual([`Installing ${DUCKDB_PACKAGE}@${DUCKDB_VERSION} into ${dir} (first use on this runner)...`]);
    const installed = JSON.parse(readFileSync(join(dir, 'node_modules', '@duckdb', 'node-api', 'package.json'), 'utf8')) as { version: string };
    expect(installed.version).toBe(DUCKDB_VERSION);
    // The module from the tool cache works.
    const engine = await DuckDbEngine.open(first);
    expect(await engine.query('SELECT 41 + 1 AS answer')).toEqual([{ answer: 42 }]);
    await engine.close();

    await loadDuckDb({ env, importFromNodeModules: notInNodeModules, runNpm });
    expect(npmCalls).toBe(1);
  }, 300_000);

  it('a failed install is a clear error and leaves nothing half-installed', async () => {
    const failing = { RUNNER_TOOL_CACHE: mkdtempSync(join(tmpdir(), 'mrg-toolcache-fail-')) };
    const runNpm: NpmRunner = async () => {
      throw new Error('npm ERR! network request failed');
    };
    await expect(loadDuckDb({ env: failing, importFromNodeModules: notInNodeModules, runNpm })).rejects.toThrow(
      `could not install ${DUCKDB_PACKAGE}@${DUCKDB_VERSION} (the data gate's SQL engine) into ${toolCacheDir(failing)}: npm ERR! network request failed`,
    );
    expect(existsSync(toolCacheDir(failing))).toBe(false);
    rmSync(failing.RUNNER_TOOL_CACHE, { recursive: true, force: true });
  });
});
