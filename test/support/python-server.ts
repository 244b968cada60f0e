/**
 * What the tests against a real server from PyPI share (test/support/mlflow.ts, test/support/moto.ts):
 * the version a requirements file pins, the check that a venv has it (installed by
 * test/support/install-python-venv.sh, through test/<tool>/install.sh, which .ci/run calls), a
 * `describe` that skips without it but fails in CI, and a server process on a free loopback port
 * that is waited for and stopped with every process it started.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './run-bundle.js';

/** SIGTERM, then SIGKILL for the process group after this long. */
const STOP_GRACE_MS = 10_000;
/** How many times a server whose port was taken before it bound it is started (each on another port). */
const PORT_ATTEMPTS = 3;

/**
 * The version `requirementsFile` (relative to the repo root) pins for `pkg`: its `pkg==<version>`
 * or `pkg[extras]==<version>` line, as install-python-venv.sh reads it. Throws when there is none.
 */
export function pinnedVersion(requirementsFile: string, pkg: string): string {
  const name = pkg.replace(/\[.*$/, '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pinned = new RegExp(`^${name}(?:\\[[^\\]]*\\])?==(\\S+)`, 'm').exec(readFileSync(join(repoRoot, requirementsFile), 'utf8'))?.[1];
  if (pinned === undefined) throw new Error(`${requirementsFile} pins no ${pkg}==<version>`);
  return pinned;
}

export type PythonInstall = { ok: true; bin: string; python: string } | { ok: false; reason: string };

export interface VenvTool {
  /** Where the install script puts the venv: process.env[venvEnvVar], else <repo>/<defaultDir>. */
  venv(): string;
  /** The venv's `bin` and `python`, if the venv has the pinned version (checked once per test file). */
  installed(): PythonInstall;
}

/** A tool installed from PyPI into a venv, at exactly `version` (what the reasons say is built from these). */
export function venvInstall(spec: {
  /** As the reasons name it: `MLflow is not installed in …`. */
  name: string;
  /** The distribution whose version is checked (importlib.metadata). */
  package: string;
  version: string;
  /** The executable in <venv>/bin. */
  bin: string;
  venvEnvVar: string;
  /** Relative to the repo root, e.g. `.cache/mlflow-venv`. */
  defaultDir: string;
  /** A module the check imports too, e.g. one an extra provides (`moto.server`). */
  probeImport?: string;
  /** What the reason says the venv lacks when the check fails: `no working <this>`; default the package. */
  working?: string;
  /** How to install it, ending every reason. */
  hint: string;
}): VenvTool {
  const venv = () => process.env[spec.venvEnvVar] || join(repoRoot, spec.defaultDir);
  const probe = `import importlib.metadata as m${spec.probeImport ? `, ${spec.probeImport}` : ''}; print(m.version("${spec.package}"))`;
  let installed: PythonInstall | undefined;
  const check = (): PythonInstall => {
    const dir = venv();
    const bin = join(dir, 'bin', spec.bin);
    const python = join(dir, 'bin', 'python');
    if (!existsSync(bin) || !existsSync(python)) return { ok: false, reason: `${spec.name} is not installed in ${dir}: ${spec.hint}` };
    const run = spawnSync(python, ['-c', probe], { encoding: 'utf8', timeout: 30_000 });
    const version = run.status === 0 ? run.stdout.trim() : undefined;
    return version === spec.version
      ? { ok: true, bin, python }
      : { ok: false, reason: `${dir} has ${version ? `${spec.package} ${version}` : `no working ${spec.working ?? spec.package}`}, the tests need ${spec.version}: ${spec.hint}` };
  };
  return { venv, installed: () => (installed ??= check()) };
}

const warned = new Set<string>();

/**
 * `describe` when the tool is installed. Otherwise `describe.skip` with the reason printed once, or,
 * in CI (CI=true), a suite whose one test fails with the reason: CI must run these tests.
 * <skipEnvVar>=skip skips them (with the reason printed) wherever they run, without checking the install.
 */
export function describeWithPythonTool(
  options: {
    /** The tool, as the failing test names it: `<tool> is installed (CI runs the <tests>, never skips them)`. */
    tool: string;
    /** The tests, as the messages name them: `<tests> skipped: <reason>`. */
    tests: string;
    install: () => PythonInstall;
    skipEnvVar: string;
  },
  name: string,
  fn: () => void,
): void {
  const skip = process.env[options.skipEnvVar] === 'skip';
  const install: PythonInstall = skip ? { ok: false, reason: `${options.skipEnvVar}=skip` } : options.install();
  if (install.ok) {
    describe(name, fn);
    return;
  }
  if (process.env['CI'] === 'true' && !skip) {
    describe(name, () => {
      test(`${options.tool} is installed (CI runs the ${options.tests}, never skips them)`, () => {
        throw new Error(`${install.reason}. In CI, .ci/run installs it before the tests; set ${options.skipEnvVar}=skip to skip these tests on purpose.`);
      });
    });
    return;
  }
  if (!warned.has(options.tests)) console.warn(`${options.tests} skipped: ${install.reason}`);
  warned.add(options.tests);
  describe.skip(name, fn);
}

export interface ProcessServer {
  /** http://127.0.0.1:<port>, no trailing slash. */
  url: string;
  /** The server's temporary folder (its cwd, with server.log). Removed by stop(). */
  dir: string;
  /** The server process (the leader of its own process group). */
  pid: number;
  /** Ends the server and every process it started (idempotent; never throws, never hangs). */
  stop(): Promise<void>;
}

export interface ProcessServerOptions {
  /** As the errors name it: `<name> did not start: …`. */
  name: string;
  /** Prefix of its temporary folder, e.g. `mrg-mlflow-`. */
  tmpPrefix: string;
  command: string;
  /** Its arguments, to listen on 127.0.0.1:`port` and keep its files in `dir`. */
  args: (port: number, dir: string) => string[];
  env: NodeJS.ProcessEnv;
  /** It serves once GET <url><path> answers 2xx with a body `answers` accepts (`expected` says what, for the errors). */
  ready: { path: string; answers: (body: string) => boolean; expected: string };
  timeoutMs: number;
  /** Between two GETs while it starts. */
  pollMs: number;
  /** Log lines of a server that lost its port to another process: it is started again on another port. */
  portTaken: RegExp;
}

/**
 * Starts the server on a free loopback port, in its own process group (so stop() reaches every
 * process it starts too) and a new temporary folder, and waits until it is ready (up to
 * `timeoutMs`). Throws with the end of the server's log if it does not come up; the processes
 * are gone by then.
 */
export async function startProcessServer(options: ProcessServerOptions): Promise<ProcessServer> {
  const deadline = Date.now() + options.timeoutMs;
  // The free port is found before the server binds it: another process can take it in between,
  // so a server that fails with "address already in use" is started again on another port.
  for (let attempt = 1; ; attempt++) {
    const server = await spawnServer(options, deadline);
    if ('url' in server) return server;
    if (attempt < PORT_ATTEMPTS && options.portTaken.test(server.log) && Date.now() < deadline) continue;
    throw new Error(`${options.name} did not start: ${server.error}\n--- last lines of its log ---\n${server.log}`);
  }
}

async function spawnServer(options: ProcessServerOptions, deadline: number): Promise<ProcessServer | { error: string; log: string }> {
  const dir = mkdtempSync(join(tmpdir(), options.tmpPrefix));
  const logFile = join(dir, 'server.log');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const log = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(options.command, options.args(port, dir), { cwd: dir, env: options.env, detached: true, stdio: ['ignore', log, log] });
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
      // The leader is gone; its children (e.g. a uvicorn worker) may take a moment longer after SIGTERM.
      for (let waited = 0; groupAlive(pgid) && waited < STOP_GRACE_MS; waited += 100) await sleep(100);
      killGroup(pgid, 'SIGKILL');
      for (let waited = 0; groupAlive(pgid) && waited < 5_000; waited += 100) await sleep(100);
      running.delete(pgid);
      rmSync(dir, { recursive: true, force: true });
    })());

  const { path, answers, expected } = options.ready;
  let exitedEarly: string | undefined;
  child.once('exit', (code, signal) => (exitedEarly = `it exited (${signal ?? `code ${code}`}) before answering GET ${path}`));
  while (Date.now() < deadline && exitedEarly === undefined) {
    try {
      const response = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok && answers(await response.text())) return { url, dir, pid: pgid, stop };
    } catch {
      // Not listening yet.
    }
    await sleep(options.pollMs);
  }
  const error = exitedEarly ?? `GET ${url}${path} did not answer ${expected} within ${options.timeoutMs / 1000} s`;
  const tail = logTail(logFile);
  await stop();
  return { error, log: tail };
}

/** A TCP port nothing listens on at 127.0.0.1 right now. */
export function freePort(): Promise<number> {
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
