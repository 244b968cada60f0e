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
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './run-bundle.js';
import { describeWithPythonTool, pinnedVersion, startProcessServer, venvInstall, type PythonInstall } from './python-server.js';

const REGISTER_SCRIPT = join(repoRoot, 'test', 'mlflow', 'register.py');
/** Waiting for GET /health; a cold start takes about 15-20 s. */
const STARTUP_TIMEOUT_MS = 120_000;
const REGISTER_TIMEOUT_MS = 120_000;

/** The mlflow version test/mlflow/requirements.txt pins. */
export const MLFLOW_VERSION = pinnedVersion('test/mlflow/requirements.txt', 'mlflow');

const venv = venvInstall({
  name: 'MLflow', package: 'mlflow', version: MLFLOW_VERSION, bin: 'mlflow',
  venvEnvVar: 'MLFLOW_VENV', defaultDir: '.cache/mlflow-venv',
  hint: 'run `bash test/mlflow/install.sh` (about a minute, from PyPI)',
});

/** Where install.sh puts the venv: MLFLOW_VENV, else <repo>/.cache/mlflow-venv. */
export function mlflowVenv(): string {
  return venv.venv();
}

export type MlflowInstall = PythonInstall;

/** The venv's `mlflow` and `python`, if the venv has the pinned version (checked once per test file). */
export function mlflowInstalled(): MlflowInstall {
  return venv.installed();
}

/**
 * `describe` when MLflow is installed. Otherwise `describe.skip` with the reason printed once, or,
 * in CI (CI=true), a suite whose one test fails with the reason: CI must run these tests.
 * MLFLOW_TESTS=skip skips them (with the reason printed) wherever they run.
 */
export function describeWithMlflow(name: string, fn: () => void): void {
  describeWithPythonTool({ tool: 'MLflow', tests: 'MLflow registry tests', install: mlflowInstalled, skipEnvVar: 'MLFLOW_TESTS' }, name, fn);
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

/**
 * Starts `mlflow server` on a free loopback port in a new temporary folder and waits for
 * GET /health (up to 120 s). Throws with the end of the server's log if it does not come up; the
 * processes (the server and the uvicorn worker it starts, one process group) are gone by then.
 */
export async function startMlflowServer(options: { startupTimeoutMs?: number } = {}): Promise<MlflowServer> {
  const install = mlflowInstalled();
  if (!install.ok) throw new Error(install.reason);
  const { url, dir, pid, stop } = await startProcessServer({
    name: 'mlflow server',
    tmpPrefix: 'mrg-mlflow-',
    command: install.bin,
    args: (port, dir) => [
      'server',
      '--backend-store-uri', `sqlite:///${join(dir, 'mlflow.db')}`,
      // Artifacts go through the server (mlflow-artifacts:/ URIs), stored here.
      '--serve-artifacts',
      '--artifacts-destination', join(dir, 'artifacts'),
      '--host', '127.0.0.1',
      '--port', String(port),
      '--workers', '1',
    ],
    env: mlflowEnv(),
    ready: { path: '/health', answers: (body) => body.trim() === 'OK', expected: 'OK' },
    timeoutMs: options.startupTimeoutMs ?? STARTUP_TIMEOUT_MS,
    pollMs: 250,
    portTaken: /address already in use/i,
  });
  return { uri: url, dir, pid, stop };
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
