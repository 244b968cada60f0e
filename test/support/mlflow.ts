/**
 * A real MLflow tracking server with its Model Registry, for the registry tests: `mlflow server`
 * from PyPI (the version pinned in test/mlflow/requirements.txt, installed into a venv by
 * test/mlflow/install.sh, which .ci/run calls), on loopback, with a SQLite backend store and a
 * local artifact store served through the server's artifact proxy (`--serve-artifacts`: runs get
 * `mlflow-artifacts:/…` artifact URIs and clients download artifacts over HTTP at
 * /api/2.0/mlflow-artifacts/artifacts/…). Model versions are registered with MLflow's own Python
 * client (test/mlflow/register.py), so what the gate reads is what MLflow itself wrote.
 *
 * Not installed: the tests skip with the reason printed, except in CI (CI=true), where a missing
 * install fails them, so CI never skips them silently; MLFLOW_TESTS=skip skips them anywhere.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './run-bundle.js';

const INSTALL_HINT = 'run `bash test/mlflow/install.sh` (about a minute, from PyPI)';
const REGISTER_SCRIPT = join(repoRoot, 'test', 'mlflow', 'register.py');
/** Waiting for GET /health; a cold start takes about 15-20 s. */
const STARTUP_TIMEOUT_MS = 120_000;
/** SIGTERM, then SIGKILL for the process group after this long. */
const STOP_GRACE_MS = 10_000;
const REGISTER_TIMEOUT_MS = 120_000;

/** The mlflow version test/mlflow/requirements.txt pins. */
export const MLFLOW_VERSION = (() => {
  const pinned = /^mlflow==(\S+)/m.exec(readFileSync(join(repoRoot, 'test', 'mlflow', 'requirements.txt'), 'utf8'))?.[1];
  if (pinned === undefined) throw new Error('test/mlflow/requirements.txt pins no mlflow==<version>');
  return pinned;
})();

/** Where install.sh puts the venv: MLFLOW_VENV, else <repo>/.cache/mlflow-venv. */
export function mlflowVenv(): string {
  return process.env['MLFLOW_VENV'] || join(repoRoot, '.cache', 'mlflow-venv');
}

export type MlflowInstall = { ok: true; bin: string; python: string } | { ok: false; reason: string };

let installed: MlflowInstall | undefined;

/** The venv's `mlflow` and `python`, if the venv has the pinned version (checked once per test file). */
export function mlflowInstalled(): MlflowInstall {
  if (installed !== undefined) return installed;
  const venv = mlflowVenv();
  const bin = join(venv, 'bin', 'mlflow');
  const python = join(venv, 'bin', 'python');
  if (!existsSync(bin) || !existsSync(python)) {
    installed = { ok: false, reason: `MLflow is not installed in ${venv}: ${INSTALL_HINT}` };
    return installed;
  }
  const probe = spawnSync(python, ['-c', 'import importlib.metadata as m; print(m.version("mlflow"))'], { encoding: 'utf8', timeout: 30_000 });
  const version = probe.status === 0 ? probe.stdout.trim() : undefined;
  installed =
    version === MLFLOW_VERSION
      ? { ok: true, bin, python }
      : { ok: false, reason: `${venv} has ${version ? `mlflow ${version}` : 'no working mlflow'}, the tests need ${MLFLOW_VERSION}: ${INSTALL_HINT}` };
  return installed;
}

let warned = false;

/**
 * `describe` when MLflow is installed. Otherwise `describe.skip` with the reason printed once, or,
 * in CI (CI=true), a suite whose one test fails with the reason: CI must run these tests.
 * MLFLOW_TESTS=skip skips them (with the reason printed) wherever they run.
 */
export function describeWithMlflow(name: string, fn: () => void): void {
  const install: MlflowInstall = process.env['MLFLOW_TESTS'] === 'skip' ? { ok: false, reason: 'MLFLOW_TESTS=skip' } : mlflowInstalled();
  if (install.ok) {
    describe(name, fn);
    return;
  }
  if (process.env['CI'] === 'true' && process.env['MLFLOW_TESTS'] !== 'skip') {
    describe(name, () => {
      test('MLflow is installed (CI runs the MLflow registry tests, never skips them)', () => {
        throw new Error(`${install.reason}. In CI, .ci/run installs it before the tests; set MLFLOW_TESTS=skip to skip these tests on purpose.`);
      });
    });
    return;
  }
  if (!warned) console.warn(`MLflow registry tests skipped: ${install.reason}`);
  warned = true;
  describe.skip(name, fn);
}

export interface MlflowServer {
  /** http://127.0.0.1:<port>, no trailing slash. */
  uri: string;
  /** The server's temporary folder: mlflow.db, artifacts/, server.log. Removed by stop(). */
  dir: string;
  /** The `mlflow server` process (the leader of its own process group). */
  pid: number;
  /** Ends the server and every process it started (idempotent; never throws, never hangs). */
  stop(): Promise<void>;
}

/** Environment for MLflow's processes: none of the caller's MLFLOW_* settings, no telemetry, no job runner. */
function mlflowEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^MLFLOW_/.test(k)));
  return {
    ...env,
    // The server's job runner (huey consumers for GenAI evaluation jobs) is not needed for the
    // registry and costs ~8 more processes and ~6 s of startup, plus a /dev/shm folder it leaves.
    MLFLOW_SERVER_ENABLE_JOB_EXECUTION: 'false',
    MLFLOW_DISABLE_TELEMETRY: 'true',
    DO_NOT_TRACK: 'true',
    PYTHONUNBUFFERED: '1',
    PYTHONDONTWRITEBYTECODE: '1',
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

function logTail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no server log)';
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Whether any process of group `pgid` is still alive. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: nothing left in the group.
  }
}

function exited(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => (clearTimeout(timer), resolve(true)));
  });
}

/** Every server this process started and has not stopped: killed if the test process exits first. */
const running = new Set<number>();
let exitHook = false;
function killLeftoversOnExit(): void {
  if (exitHook) return;
  exitHook = true;
  process.once('exit', () => {
    for (const pgid of running) killGroup(pgid, 'SIGKILL');
  });
}

/**
 * Starts `mlflow server` on a free loopback port in a new temporary folder and waits for
 * GET /health (up to 120 s). Throws with the end of the server's log if it does not come up; the
 * processes are gone by then.
 */
export async function startMlflowServer(options: { startupTimeoutMs?: number } = {}): Promise<MlflowServer> {
  const install = mlflowInstalled();
  if (!install.ok) throw new Error(install.reason);
  const timeoutMs = options.startupTimeoutMs ?? STARTUP_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  // The free port is found before the server binds it: another process can take it in between,
  // so a server that fails with "address already in use" is started again on another port.
  for (let attempt = 1; ; attempt++) {
    const server = await spawnServer(install.bin, deadline, timeoutMs);
    if ('uri' in server) return server;
    if (attempt < 3 && /address already in use/i.test(server.log) && Date.now() < deadline) continue;
    throw new Error(`mlflow server did not start: ${server.error}\n--- last lines of its log ---\n${server.log}`);
  }
}

async function spawnServer(bin: string, deadline: number, timeoutMs: number): Promise<MlflowServer | { error: string; log: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'mrg-mlflow-'));
  const logFile = join(dir, 'server.log');
  const port = await freePort();
  const uri = `http://127.0.0.1:${port}`;
  const log = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(
      bin,
      [
        'server',
        '--backend-store-uri', `sqlite:///${join(dir, 'mlflow.db')}`,
        // Artifacts go through the server (mlflow-artifacts:/ URIs), stored here.
        '--serve-artifacts',
        '--artifacts-destination', join(dir, 'artifacts'),
        '--host', '127.0.0.1',
        '--port', String(port),
        '--workers', '1',
      ],
      // Its own process group, so stop() reaches the uvicorn worker it starts too.
      { cwd: dir, env: mlflowEnv(), detached: true, stdio: ['ignore', log, log] },
    );
  } finally {
    closeSync(log);
  }
  const pgid = child.pid;
  if (pgid === undefined) {
    const error = await new Promise<string>((resolve) => child.once('error', (e) => resolve(e.message)));
    rmSync(dir, { recursive: true, force: true });
    return { error, log: '' };
  }
  running.add(pgid);
  killLeftoversOnExit();
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      killGroup(pgid, 'SIGTERM');
      if (!(await exited(child, STOP_GRACE_MS))) killGroup(pgid, 'SIGKILL');
      await exited(child, 5_000);
      // The leader is gone; its children (uvicorn) may take a moment longer after SIGTERM.
      for (let waited = 0; groupAlive(pgid) && waited < STOP_GRACE_MS; waited += 100) await sleep(100);
      killGroup(pgid, 'SIGKILL');
      for (let waited = 0; groupAlive(pgid) && waited < 5_000; waited += 100) await sleep(100);
      running.delete(pgid);
      rmSync(dir, { recursive: true, force: true });
    })());

  let exitedEarly: string | undefined;
  child.once('exit', (code, signal) => (exitedEarly = `it exited (${signal ?? `code ${code}`}) before answering GET /health`));
  while (Date.now() < deadline && exitedEarly === undefined) {
    try {
      const response = await fetch(`${uri}/health`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok && (await response.text()).trim() === 'OK') return { uri, dir, pid: pgid, stop };
    } catch {
      // Not listening yet.
    }
    await sleep(250);
  }
  const error = exitedEarly ?? `GET ${uri}/health did not answer OK within ${timeoutMs / 1000} s`;
  const tail = logTail(logFile);
  await stop();
  return { error, log: tail };
}

/** server?.stop(), for afterAll (a beforeAll that failed leaves no server). */
export async function stopMlflowServer(server: MlflowServer | undefined): Promise<void> {
  await server?.stop();
}

/** What test/mlflow/register.py registers (only `name` is required); its keys are register.py's. */
export interface VersionSpec {
  /** Registered model, created when missing. */
  name: string;
  /** Experiment of the run (created or reused); default model-release-gate-tests. */
  experiment?: string;
  run_name?: string;
  /** Latest values, logged at step 0. */
  metrics?: Record<string, number>;
  /** Per-step values (step = index). */
  metric_history?: Record<string, number[]>;
  params?: Record<string, string | number>;
  /** Text artifacts of the run: path (e.g. holdout/predictions.csv) → content. */
  artifacts?: Record<string, string>;
  run_tags?: Record<string, string>;
  /** The version's source is <run artifact_uri>/<source_path>; default `model` (nothing is stored there). */
  source_path?: string;
  description?: string;
  /** Model version tags. */
  tags?: Record<string, string>;
  aliases?: string[];
}

export interface RegisteredVersion {
  name: string;
  version: string;
  run_id: string;
  /** mlflow-artifacts:/<experiment_id>/<run_id>/artifacts */
  artifact_uri: string;
  experiment_id: string;
}

/** Registers a model version in `server` with MLflow's Python client (test/mlflow/register.py). */
export async function registerVersion(server: Pick<MlflowServer, 'uri'>, spec: VersionSpec): Promise<RegisteredVersion> {
  const install = mlflowInstalled();
  if (!install.ok) throw new Error(install.reason);
  const env = {
    ...mlflowEnv(),
    // MLflow's client retries a refused connection 7 times with a growing backoff (~2 min): a
    // server that is down should fail the registration in seconds.
    MLFLOW_HTTP_REQUEST_MAX_RETRIES: '2',
    MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR: '1',
    MLFLOW_HTTP_REQUEST_TIMEOUT: '30',
  };
  const child = spawn(install.python, [REGISTER_SCRIPT, '--tracking-uri', server.uri], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.on('error', () => {}); // EPIPE if it dies early: the exit code says why.
  child.stdin.end(JSON.stringify(spec));
  const timer = setTimeout(() => child.kill('SIGKILL'), REGISTER_TIMEOUT_MS);
  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (c, s) => resolve({ code: c, signal: s }));
  }).finally(() => clearTimeout(timer));
  const line = stdout.trim().split('\n').pop() ?? '';
  const failure = (why: string) => new Error(`register.py ${why} for ${JSON.stringify(spec.name)}\n--- stderr (end) ---\n${stderr.trimEnd().split('\n').slice(-25).join('\n')}`);
  if (code !== 0) throw failure(signal ? `was killed (${signal}${signal === 'SIGKILL' ? `, over ${REGISTER_TIMEOUT_MS / 1000} s` : ''})` : `exited with code ${code}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    throw failure(`printed no JSON line (stdout: ${JSON.stringify(stdout.slice(-300))})`);
  }
  const result = parsed as Partial<RegisteredVersion>;
  for (const key of ['name', 'version', 'run_id', 'artifact_uri', 'experiment_id'] as const) {
    if (typeof result[key] !== 'string' || result[key] === '') throw failure(`printed ${line}, without "${key}"`);
  }
  return result as RegisteredVersion;
}
