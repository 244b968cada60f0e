// Starts the Trino server the Trino tests share (see test/support/trino.ts) and records it:
//   node test/trino/server.mjs <run dir> [<pid to outlive>]
// runs a single-node coordinator from the install test/trino/install.sh made (TRINO_HOME, else
// <repo>/.cache/trino-server-<version>) on a free loopback port, with the memory catalog, its
// config, data dir and log under <run dir>/server, and writes <run dir>/server.json
// ({ url, pid, dir, startupMs }) once GET /v1/info says `starting: false`, or <run dir>/error.txt
// with the end of the log. The server is detached (its own process group, ended by the jest
// globalTeardown through the pid). This script then stays, as a watchdog: when the process it
// was started for (the jest run) is gone without a teardown (killed, interrupted), it ends the
// server, so none is left behind.
/* global fetch, AbortSignal */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const TRINO_VERSION = '476';
/** About 30-45 s on 2 cores; slower when the tests run beside it. */
export const STARTUP_TIMEOUT_MS = 240_000;

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Where install.sh puts the server. */
export function trinoHome() {
  return process.env.TRINO_HOME ?? join(root, '.cache', `trino-server-${TRINO_VERSION}`);
}

/**
 * Claims the run's server: true for the one caller that must start it (the lock is a directory,
 * made atomically), false when another caller has.
 */
export function claimServer(runDir) {
  try {
    mkdirSync(join(runDir, 'lock'));
    return true;
  } catch {
    return false;
  }
}

/** Runs this script detached for `runDir`; it records the server in runDir (see the header). */
export function startInBackground(runDir) {
  const log = openSync(join(runDir, 'starter.log'), 'a');
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), runDir, String(process.pid)], { detached: true, stdio: ['ignore', log, log] });
  closeSync(log);
  child.unref();
}

function freePort() {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.on('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => done(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function start(runDir) {
  const home = trinoHome();
  const java = join(readFileSync(join(home, 'java-home'), 'utf8').trim(), 'bin', 'java');
  const dir = join(runDir, 'server');
  mkdirSync(join(dir, 'catalog'), { recursive: true });
  mkdirSync(join(dir, 'data'), { recursive: true });
  writeFileSync(join(dir, 'catalog', 'memory.properties'), 'connector.name=memory\nmemory.max-data-per-node=512MB\n');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const config = {
    coordinator: 'true',
    'node-scheduler.include-coordinator': 'true',
    'http-server.http.port': String(port),
    'discovery.uri': url,
    'plugin.dir': join(home, 'plugin'),
    'catalog.config-dir': join(dir, 'catalog'),
    'query.max-memory': '512MB',
    'query.max-memory-per-node': '512MB',
    // Two cores: fewer threads than Trino's defaults for a big machine.
    'task.concurrency': '2',
    'task.max-worker-threads': '4',
  };
  writeFileSync(join(dir, 'config.properties'), Object.entries(config).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
  // node.properties are system properties (Trino's launcher passes them so); loopback only.
  const node = {
    'node.environment': 'test',
    'node.id': 'mrg-test',
    'node.bind-ip': '127.0.0.1',
    'node.internal-address': '127.0.0.1',
    'node.data-dir': join(dir, 'data'),
  };
  const args = [
    '-Xmx1G',
    '-XX:+UseSerialGC',
    // C1 only: the server starts faster, and the tests run small queries.
    '-XX:TieredStopAtLevel=1',
    '-XX:+ExitOnOutOfMemoryError',
    '-Djdk.attach.allowAttachSelf=true',
    ...Object.entries(node).map(([k, v]) => `-D${k}=${v}`),
    `-Dconfig=${join(dir, 'config.properties')}`,
    '-cp',
    `${join(home, 'lib')}/*`,
    'io.trino.server.TrinoServer',
  ];
  const logFile = join(dir, 'server.log');
  const log = openSync(logFile, 'a');
  const started = Date.now();
  const child = spawn(java, args, { cwd: dir, detached: true, stdio: ['ignore', log, log] });
  closeSync(log);
  child.unref();
  let exited;
  child.once('exit', (code, signal) => (exited = `it exited (${signal ?? `code ${code}`})`));
  child.once('error', (error) => (exited = `it could not start: ${error.message}`));
  while (Date.now() < started + STARTUP_TIMEOUT_MS && exited === undefined) {
    try {
      const response = await fetch(`${url}/v1/info`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok && (await response.json()).starting === false) return { url, pid: child.pid, dir, startupMs: Date.now() - started };
    } catch {
      // Not listening yet.
    }
    await sleep(250);
  }
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // Gone already.
  }
  const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n') : '';
  throw new Error(`Trino did not start: ${exited ?? `no "starting": false at ${url}/v1/info within ${STARTUP_TIMEOUT_MS / 1000} s`}\n--- last lines of its log ---\n${tail}`);
}

/** Writes a file whole (readers never see half of it). */
function publish(file, text) {
  writeFileSync(`${file}.partial`, text);
  renameSync(`${file}.partial`, file);
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const runDir = process.argv[2];
  const owner = Number(process.argv[3] ?? process.ppid);
  let server;
  try {
    server = await start(runDir);
    publish(join(runDir, 'server.json'), JSON.stringify(server));
  } catch (error) {
    publish(join(runDir, 'error.txt'), error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  }
  if (server) {
    while (alive(owner) && alive(server.pid)) await sleep(1_000);
    try {
      process.kill(-server.pid, 'SIGKILL');
    } catch {
      // Stopped by the teardown already.
    }
  }
}
