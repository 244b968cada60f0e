/**
 * Where DuckDB comes from. The native library is ~70 MB, so the action bundle (dist/) does not
 * carry it: `@duckdb/node-api` is an external of the ncc build. At run time:
 * 1. it is imported from node_modules when resolvable (development, tests, the npm package
 *    used by the GitLab component, which depends on it normally);
 * 2. otherwise (the bundled GitHub action) the pinned version is installed once with npm into
 *    the runner's tool cache, `$RUNNER_TOOL_CACHE/model-release-gate-duckdb/<version>`, and
 *    imported from there; later jobs on the same runner reuse it.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as DuckDbApi from '@duckdb/node-api';

export type DuckDbModule = typeof DuckDbApi;

/** The one place the DuckDB version is pinned; a test keeps it equal to package.json. */
export const DUCKDB_PACKAGE = '@duckdb/node-api';
export const DUCKDB_VERSION = '1.5.5-r.5';

/** Written last into a tool-cache install, so a half-finished install is never reused. */
export const INSTALL_MARKER = '.model-release-gate-installed';

/** Runs `npm <args>` in `cwd`; rejects with the output when npm fails or is missing. */
export type NpmRunner = (args: string[], cwd: string) => Promise<void>;

export interface LoadDuckDbOptions {
  env?: NodeJS.ProcessEnv;
  /** Step 1, injectable so tests can take the tool-cache path: undefined = not installed here. */
  importFromNodeModules?: () => Promise<DuckDbModule | undefined>;
  runNpm?: NpmRunner;
  log?: (line: string) => void;
}

/** A failure to obtain DuckDB, worded for the person reading the CI log. */
export class DuckDbLoadError extends Error {
  override readonly name = 'DuckDbLoadError';
}

/** DuckDB's node API, from node_modules or (installed on first use) from the tool cache. */
export async function loadDuckDb(options: LoadDuckDbOptions = {}): Promise<DuckDbModule> {
  const local = await (options.importFromNodeModules ?? importFromNodeModules)();
  if (local) return local;
  const env = options.env ?? process.env;
  const dir = toolCacheDir(env);
  if (!existsSync(join(dir, INSTALL_MARKER))) {
    options.log?.(`Installing ${DUCKDB_PACKAGE}@${DUCKDB_VERSION} into ${dir} (first use on this runner)...`);
    await installInto(dir, options.runNpm ?? runNpm);
  }
  return importFrom(dir);
}

/** `$RUNNER_TOOL_CACHE/model-release-gate-duckdb/<version>`; `~/.cache` outside a runner. */
export function toolCacheDir(env: NodeJS.ProcessEnv): string {
  const root = env.RUNNER_TOOL_CACHE || join(homedir(), '.cache');
  return join(root, 'model-release-gate-duckdb', DUCKDB_VERSION);
}

async function importFromNodeModules(): Promise<DuckDbModule | undefined> {
  try {
    // webpackIgnore keeps this a dynamic import in the bundle: with only `-e @duckdb/node-api`
    // ncc hoists it into a static top-level import, and dist/main.js would not even start
    // where the package is absent.
    return await import(/* webpackIgnore: true */ '@duckdb/node-api');
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw new DuckDbLoadError(`${DUCKDB_PACKAGE} is installed but could not be loaded: ${(error as Error).message}`);
  }
}

function isNotFound(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  const message = error instanceof Error ? error.message : '';
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || /Cannot find (module|package)/.test(message)) && message.includes(DUCKDB_PACKAGE);
}

/**
 * Install into a private directory and rename it into place, so two jobs installing at once
 * never see each other's half-written files; the loser of the rename uses the winner's copy.
 */
async function installInto(dir: string, npm: NpmRunner): Promise<void> {
  const parent = join(dir, '..');
  mkdirSync(parent, { recursive: true });
  const staging = mkdtempSync(join(parent, `.install-${DUCKDB_VERSION}-`));
  try {
    await npm(['install', '--no-save', '--no-audit', '--no-fund', '--no-package-lock', '--prefix', staging, `${DUCKDB_PACKAGE}@${DUCKDB_VERSION}`], staging);
    if (!existsSync(join(staging, 'node_modules', ...DUCKDB_PACKAGE.split('/'), 'package.json'))) {
      throw new DuckDbLoadError(`npm finished but ${DUCKDB_PACKAGE} is not in ${staging}`);
    }
    writeFileSync(join(staging, INSTALL_MARKER), `${DUCKDB_PACKAGE}@${DUCKDB_VERSION}\n`);
    rmSync(dir, { recursive: true, force: true, maxRetries: 2 }); // a stale, unmarked install
    try {
      renameSync(staging, dir);
    } catch (error) {
      if (!existsSync(join(dir, INSTALL_MARKER))) throw error;
    }
  } catch (error) {
    if (error instanceof DuckDbLoadError) throw error;
    throw new DuckDbLoadError(
      `could not install ${DUCKDB_PACKAGE}@${DUCKDB_VERSION} (the data gate's SQL engine) into ${dir}: ${(error as Error).message}`,
    );
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

async function importFrom(dir: string): Promise<DuckDbModule> {
  const entry = join(dir, 'node_modules', ...DUCKDB_PACKAGE.split('/'), 'lib', 'index.js');
  try {
    // webpackIgnore: the path is only known at run time; ncc must leave this import alone.
    const loaded = (await import(/* webpackIgnore: true */ pathToFileURL(entry).href)) as Partial<DuckDbModule> & { default?: DuckDbModule };
    // Node exposes a CommonJS module's exports as named exports when it can detect them, else as default.
    return loaded.DuckDBInstance ? (loaded as DuckDbModule) : (loaded.default as DuckDbModule);
  } catch (error) {
    throw new DuckDbLoadError(`${DUCKDB_PACKAGE} in ${dir} could not be loaded: ${(error as Error).message}; delete that directory to reinstall it`);
  }
}

/** npm from PATH (`npm.cmd` through the shell on Windows). */
const runNpm: NpmRunner = (args, cwd) =>
  new Promise((resolve, reject) => {
    const windows = process.platform === 'win32';
    execFile(windows ? 'npm.cmd' : 'npm', args, { cwd, shell: windows, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (!error) return resolve();
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return reject(
          new DuckDbLoadError(
            `npm is not on PATH, so ${DUCKDB_PACKAGE}@${DUCKDB_VERSION} (the data gate's SQL engine) cannot be installed; set up Node.js with npm (actions/setup-node) before this step`,
          ),
        );
      }
      const output = `${stderr}\n${stdout}`.trim().split('\n').slice(-15).join('\n');
      reject(new Error(`npm ${args.join(' ')} failed (${error.message.split('\n')[0]})${output ? `:\n${output}` : ''}`));
    });
  });
