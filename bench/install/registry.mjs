/* global fetch */
// A throwaway npm registry on loopback for the install benchmark: verdaccio (a devDependency)
// with its storage in a temporary folder and one uplink, the registry npm is configured with on
// this machine (read from `npm config get registry` when it starts, never written down), so
// everything except the package under test resolves as it would for a user.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const verdaccioBin = join(root, 'node_modules', 'verdaccio', 'bin', 'verdaccio');

/** A port the kernel just gave out on 127.0.0.1 (free at the time of asking). */
function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/** The registry npm would install from here, read at run time. */
export function configuredRegistry(env = process.env) {
  return execFileSync('npm', ['config', 'get', 'registry'], { env, encoding: 'utf8' }).trim();
}

/**
 * Starts verdaccio in `dir` (storage, config, log) with `localPackages` served only from local
 * storage (publishable, never looked up upstream) and every other package proxied to `uplink`.
 * Resolves to { url, token, stop } once it answers /-/ping; `token` publishes.
 */
export async function startLocalRegistry({ dir, uplink, localPackages }) {
  mkdirSync(join(dir, 'storage'), { recursive: true });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const local = localPackages
    .map((name) => `  '${name}':\n    access: $all\n    publish: $authenticated\n`)
    .join('');
  const config = [
    `storage: ${JSON.stringify(join(dir, 'storage'))}`,
    'auth:',
    '  htpasswd:',
    `    file: ${JSON.stringify(join(dir, 'htpasswd'))}`,
    '    max_users: 10',
    'uplinks:',
    '  upstream:',
    `    url: ${JSON.stringify(uplink)}`,
    '    timeout: 120s',
    '    max_fails: 5',
    // Keep upstream metadata for the whole run: after the warm-up every request is served from
    // the local storage, so the timed runs measure npm, not the uplink's latency.
    '    maxage: 12h',
    'packages:',
    local.trimEnd(),
    "  '**':",
    '    access: $all',
    '    publish: $authenticated',
    '    proxy: upstream',
    'web:',
    '  enable: false',
    'log: { type: file, path: ' + JSON.stringify(join(dir, 'verdaccio.log')) + ', level: warn }',
    '',
  ].join('\n');
  const configPath = join(dir, 'config.yaml');
  writeFileSync(configPath, config);
  const child = spawn(process.execPath, [verdaccioBin, '--config', configPath, '--listen', `127.0.0.1:${port}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  let exited = false;
  child.once('exit', () => (exited = true));
  const stop = () =>
    new Promise((resolveStop) => {
      if (exited) return resolveStop();
      child.once('exit', () => resolveStop());
      child.kill('SIGTERM');
    });

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited) throw new Error(`verdaccio exited before it answered:\n${stderr}`);
    try {
      const res = await fetch(`${url}-/ping`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`verdaccio did not answer on ${url} within 30 s:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }

  // The registry's own user endpoint (what `npm adduser` calls): creates the user, returns a token.
  const user = 'install-bench';
  const res = await fetch(`${url}-/user/org.couchdb.user:${user}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: user, password: 'install-bench-password' }),
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok || typeof body.token !== 'string') {
    await stop();
    throw new Error(`could not create a user on the local registry: ${res.status} ${JSON.stringify(body)}`);
  }
  return { url, token: body.token, stop };
}
