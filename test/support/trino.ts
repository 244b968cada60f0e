/**
 * A real Trino server for the Trino tests: the trino-server tarball from Maven Central, installed
 * by test/trino/install.sh (which .ci/run calls) into .cache/trino-server-<version>, started as a
 * single-node coordinator on a free loopback port with one catalog, `memory` (the memory
 * connector: tables live in the server's heap and go with it), a 1 GB heap and its data dir in a
 * temporary folder. Tests load their fixtures as tables (loadTable) and run the gate on them.
 *
 * One server per jest run: startup takes 30-45 s on 2 cores, so test/trino/server.mjs starts it
 * once and records its address in the run's folder (MRG_TRINO_RUN_DIR, made by the jest
 * globalSetup, test/global-setup.mjs). On a full run (or one whose paths name trino) the
 * globalSetup starts it at once, so it boots while the first test files run; otherwise the first
 * test file that needs it does. Every file connects to that server, each in a schema of its own;
 * the globalTeardown stops it. Run without that globalSetup, a file starts a server of its own
 * and stops it in afterAll (stopTrino).
 *
 * Not installed: the tests skip with the reason printed, except in CI (CI=true), where a missing
 * install fails them; TRINO_TESTS=skip skips them anywhere.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createTrinoRunner } from '../../src/data/engine/trino-runner.js';
import type { QueryRunner } from '../../src/data/engine/query-runner.js';

export const TRINO_VERSION = '476';

/** Startup (test/trino/server.mjs, whose own limit is 240 s): about 30-45 s on 2 cores. */
const STARTUP_TIMEOUT_MS = 250_000;

const ROOT = resolve(import.meta.dirname, '../..');

/** Where install.sh puts the server: TRINO_HOME, else <repo>/.cache/trino-server-<version>. */
export function trinoHome(): string {
  return process.env.TRINO_HOME ?? join(ROOT, '.cache', `trino-server-${TRINO_VERSION}`);
}

export type TrinoInstall = { ok: true; home: string; java: string } | { ok: false; reason: string };

/** The install and the JDK install.sh recorded for it (Java >= 24). */
export function trinoInstalled(): TrinoInstall {
  const home = trinoHome();
  const hint = 'run `bash test/trino/install.sh` (about a minute: the server tarball from Maven Central, and a JDK >= 24)';
  if (!existsSync(join(home, '.installed'))) return { ok: false, reason: `Trino ${TRINO_VERSION} is not installed in ${home}; ${hint}` };
  const javaHome = readFileSync(join(home, 'java-home'), 'utf8').trim();
  const java = join(javaHome, 'bin', 'java');
  if (!existsSync(java)) return { ok: false, reason: `the JDK install.sh found for Trino (${javaHome}) is gone; ${hint}` };
  return { ok: true, home, java };
}

let warned = false;

/**
 * `describe` when Trino is installed. Otherwise `describe.skip` with the reason printed once, or,
 * in CI (CI=true), a suite whose one test fails with the reason: CI must run these tests.
 */
export function describeWithTrino(name: string, fn: () => void): void {
  const skip = process.env.TRINO_TESTS === 'skip';
  const install: TrinoInstall = skip ? { ok: false, reason: 'TRINO_TESTS=skip' } : trinoInstalled();
  if (install.ok) {
    describe(name, fn);
    return;
  }
  if (process.env.CI === 'true' && !skip) {
    describe(name, () => {
      test('Trino is installed (CI runs the Trino tests, never skips them)', () => {
        throw new Error(`${install.reason}. In CI, .ci/run installs it before the tests; set TRINO_TESTS=skip to skip these tests on purpose.`);
      });
    });
    return;
  }
  if (!warned) console.warn(`Trino tests skipped: ${install.reason}`);
  warned = true;
  describe.skip(name, fn);
}

export interface TrinoServer {
  /** http://127.0.0.1:<port>, no trailing slash. */
  url: string;
  /** Milliseconds from spawn to `starting: false` (for the record). */
  startupMs: number;
  /** Whether this file started it (and stopTrino ends it) or joined the run's shared server. */
  owned: boolean;
  pid: number;
  dir: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** test/trino/server.mjs, detached: it starts the server and writes server.json or error.txt into runDir. */
function startInBackground(runDir: string): void {
  const log = openSync(join(runDir, 'starter.log'), 'a');
  const child = spawn(process.execPath, [join(ROOT, 'test', 'trino', 'server.mjs'), runDir, String(process.pid)], { detached: true, stdio: ['ignore', log, log] });
  closeSync(log);
  child.unref();
}

/** Waits for the server test/trino/server.mjs records in runDir. */
async function recordedServer(runDir: string): Promise<Omit<TrinoServer, 'owned'>> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (existsSync(join(runDir, 'server.json'))) return JSON.parse(readFileSync(join(runDir, 'server.json'), 'utf8')) as Omit<TrinoServer, 'owned'>;
    if (existsSync(join(runDir, 'error.txt'))) throw new Error(readFileSync(join(runDir, 'error.txt'), 'utf8'));
    await sleep(250);
  }
  throw new Error(`the Trino server was not up within ${STARTUP_TIMEOUT_MS / 1000} s (${runDir})`);
}

/**
 * The run's shared server (started by the jest globalSetup on a run that includes the Trino
 * tests, or else by the first test file that asks), or, when the run has no shared folder, a
 * server of this file's own. Call stopTrino in afterAll either way.
 */
export async function startTrino(): Promise<TrinoServer> {
  const shared = process.env.MRG_TRINO_RUN_DIR;
  const runDir = shared !== undefined && existsSync(shared) ? shared : mkdtempSync(join(tmpdir(), 'mrg-trino-'));
  let claimed = false;
  try {
    // The lock is a directory, made atomically: one caller starts the server.
    mkdirSync(join(runDir, 'lock'));
    claimed = true;
  } catch {
    // Started already (or being started) by the globalSetup or another file.
  }
  if (claimed) startInBackground(runDir);
  return { ...(await recordedServer(runDir)), owned: runDir !== shared };
}

/** Ends a server this file started; the run's shared server is the globalTeardown's to end. */
export async function stopTrino(server: TrinoServer | undefined): Promise<void> {
  if (!server?.owned) return;
  killGroup(server.pid, 'SIGTERM');
  for (let waited = 0; waited < 10_000 && alive(server.pid); waited += 100) await sleep(100);
  killGroup(server.pid, 'SIGKILL');
  rmSync(dirname(server.dir), { recursive: true, force: true });
}

/** The server's process group: `java` is its leader (spawned detached). */
function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A runner on the server's memory catalog, in `schema`. */
export function trinoRunner(server: TrinoServer, schema: string): QueryRunner {
  return createTrinoRunner({ url: server.url, catalog: 'memory', schema, user: 'test', env: {} });
}

/** A SQL literal of a fixture value: NULL, a number as DOUBLE or BIGINT per its column, text quoted. */
function literal(value: unknown, type: string): string {
  if (value === null || value === undefined) return `CAST(NULL AS ${type})`;
  if (type === 'VARCHAR') return `'${String(value).replace(/'/g, "''")}'`;
  if (type === 'BOOLEAN') return value === true || value === 'true' ? 'TRUE' : 'FALSE';
  if (type === 'DOUBLE') {
    const number = Number(value);
    if (Number.isNaN(number)) return 'nan()';
    if (!Number.isFinite(number)) return number > 0 ? 'infinity()' : '-infinity()';
    return `DOUBLE '${number.toExponential()}'`;
  }
  return `CAST(${String(value)} AS ${type})`;
}

/**
 * Creates `schema.table` in the memory catalog from columns (name, Trino type: BIGINT, DOUBLE,
 * VARCHAR, BOOLEAN) and rows, in INSERT batches of 500 rows.
 */
export async function loadTable(runner: QueryRunner, schema: string, table: string, columns: Array<{ name: string; type: string }>, rows: unknown[][]): Promise<void> {
  await runner.run(`CREATE SCHEMA IF NOT EXISTS memory."${schema}"`);
  const name = `memory."${schema}"."${table}"`;
  await runner.run(`CREATE TABLE ${name} (${columns.map((c) => `"${c.name}" ${c.type}`).join(', ')})`);
  for (let start = 0; start < rows.length; start += 500) {
    const values = rows.slice(start, start + 500).map((row) => `(${row.map((v, i) => literal(v, columns[i]!.type)).join(', ')})`);
    await runner.run(`INSERT INTO ${name} VALUES ${values.join(', ')}`);
  }
}

/** The column names and DuckDB types of a DuckDB result, as Trino types for loadTable. */
export function trinoType(duckdbType: string): string {
  const upper = duckdbType.toUpperCase();
  if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UBIGINT|UINTEGER)$/.test(upper)) return 'BIGINT';
  if (/^(FLOAT|DOUBLE|REAL|DECIMAL.*)$/.test(upper)) return 'DOUBLE';
  if (upper === 'BOOLEAN') return 'BOOLEAN';
  return 'VARCHAR';
}
