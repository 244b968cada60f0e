/**
 * A throwaway npm registry for the install-path tests: verdaccio from node_modules, on loopback,
 * with its storage in a temporary directory and NO uplinks, so nothing a test installs can come
 * from (or a test publish reach) the internet. Publishing needs a user: one is created per
 * registry with a random password, and its token written to a private npmrc (`userconfig`).
 *
 * Dependencies are served offline: `publishInstalled` packs the packages npm ci already put in
 * node_modules (the lockfile's exact versions) and publishes them over the registry's HTTP API.
 * A registry without them cannot serve `model-release-gate`'s runtime dependencies, and an
 * uplink would make the test depend on the network and on whatever the public registry serves
 * that day.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './run-bundle.js';

const execFileAsync = promisify(execFile);
const VERDACCIO = join(repoRoot, 'node_modules', 'verdaccio', 'bin', 'verdaccio');

export interface LocalRegistry {
  /** Base URL, e.g. `http://127.0.0.1:40123/` (trailing slash, as npm writes it). */
  url: string;
  /** An npmrc with this registry and the test user's token (pass as `--userconfig`). */
  userconfig: string;
  /** Publish packed tarballs of these installed package folders (all in one `npm pack`). */
  publishInstalled(folders: string[]): Promise<void>;
  /** `npm publish` a package folder with the real npm CLI, under `tag`. */
  npmPublish(folder: string, tag: string): Promise<void>;
  /** What verdaccio printed (warnings and errors), for a failing test's message. */
  log(): string;
  close(): Promise<void>;
}

/** A free loopback port (closed again before verdaccio binds it; the window is tiny). */
async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** An environment for npm and verdaccio with none of the caller's npm configuration. */
export function cleanNpmEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k))) as Record<string, string>;
  return { ...env, npm_config_update_notifier: 'false', npm_config_audit: 'false', npm_config_fund: 'false', ...extra };
}

async function waitUntilAnswering(url: string, child: ChildProcess, output: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`verdaccio exited (code ${child.exitCode}) before answering:\n${output()}`);
    try {
      const response = await fetch(`${url}-/ping`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`verdaccio did not answer ${url}-/ping within ${timeoutMs} ms:\n${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Start verdaccio on a free loopback port and create the publishing user. */
export async function startLocalRegistry(): Promise<LocalRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'mrg-registry-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const config = join(dir, 'config.yaml');
  writeFileSync(
    config,
    [
      `storage: ${JSON.stringify(join(dir, 'storage'))}`,
      'auth:',
      '  htpasswd:',
      `    file: ${JSON.stringify(join(dir, 'htpasswd'))}`,
      '    max_users: 1',
      // A throwaway user: a fast hash, since verdaccio checks the password on every request.
      '    algorithm: sha1',
      // No uplinks: a package this registry was not given is a 404, never a download.
      'uplinks: {}',
      'packages:',
      "  '**':",
      '    access: $all',
      '    publish: $authenticated',
      // The DuckDB binding is a ~25 MB tarball, base64-encoded in the publish request.
      'max_body_size: 300mb',
      'web:',
      '  enable: false',
      'log: { type: stdout, format: pretty, level: warn }',
      '',
    ].join('\n'),
  );
  const child = spawn(process.execPath, [VERDACCIO, '--config', config, '--listen', `127.0.0.1:${port}`], {
    cwd: dir,
    env: cleanNpmEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      let timer: NodeJS.Timeout | undefined;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 5000)))]);
      clearTimeout(timer);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    await waitUntilAnswering(url, child, () => output, 30_000);
    const user = 'mrg-test';
    const password = randomBytes(18).toString('base64url');
    const added = await fetch(`${url}-/user/org.couchdb.user:${user}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: user, password }),
    });
    const { token } = (await added.json()) as { token?: string };
    if (!added.ok || !token) throw new Error(`verdaccio refused to create the test user (HTTP ${added.status})`);
    const userconfig = join(dir, 'npmrc');
    writeFileSync(userconfig, `registry=${url}\n//127.0.0.1:${port}/:_authToken=${token}\n`);

    return {
      url,
      userconfig,
      log: () => output,
      close: stop,
      async publishInstalled(folders) {
        const packed = join(dir, 'packed');
        mkdirSync(packed, { recursive: true });
        const { stdout } = await execFileAsync('npm', ['pack', ...folders, '--json', '--ignore-scripts', '--pack-destination', packed], {
          env: cleanNpmEnv({ npm_config_userconfig: userconfig }),
          maxBuffer: 64 * 1024 * 1024,
        });
        const results = JSON.parse(stdout) as Array<{ filename: string }>;
        await Promise.all(results.map((r, i) => publishTarball(url, token, join(packed, basename(r.filename)), folders[i] ?? '')));
      },
      async npmPublish(folder, tag) {
        await execFileAsync('npm', ['publish', folder, '--tag', tag, '--ignore-scripts', '--registry', url, '--userconfig', userconfig], {
          env: cleanNpmEnv(),
          maxBuffer: 16 * 1024 * 1024,
        });
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The registry's publish request (what `npm publish` sends): the manifest plus the tarball, base64. */
async function publishTarball(url: string, token: string, tarball: string, folder: string): Promise<void> {
  const manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as { name: string; version: string; description?: string };
  const data = readFileSync(tarball);
  const file = `${manifest.name}-${manifest.version}.tgz`;
  const body = {
    _id: manifest.name,
    name: manifest.name,
    description: manifest.description ?? '',
    'dist-tags': { latest: manifest.version },
    versions: {
      [manifest.version]: {
        ...manifest,
        _id: `${manifest.name}@${manifest.version}`,
        dist: {
          shasum: createHash('sha1').update(data).digest('hex'),
          integrity: `sha512-${createHash('sha512').update(data).digest('base64')}`,
          tarball: `${url}${manifest.name}/-/${file}`,
        },
      },
    },
    _attachments: { [file]: { content_type: 'application/octet-stream', data: data.toString('base64'), length: data.length } },
  };
  const response = await fetch(`${url}${manifest.name.replace('/', '%2f')}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`publishing ${manifest.name}@${manifest.version} to the local registry failed (HTTP ${response.status}): ${(await response.text()).slice(0, 300)}`);
}

/**
 * The installed folders of a package's runtime dependency closure (dependencies,
 * optionalDependencies and required peerDependencies, as npm resolves them from `from`),
 * each once. Optional dependencies npm did not install here (other platforms) are left out.
 */
export function installedDependencyClosure(manifest: { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> }, from: string): string[] {
  const seen = new Map<string, string>();
  const resolveFrom = (name: string, dir: string): string | undefined => {
    for (let d = dir; ; d = dirname(d)) {
      const candidate = join(d, 'node_modules', name);
      if (existsSync(join(candidate, 'package.json'))) return candidate;
      if (dirname(d) === d) return undefined;
    }
  };
  const visit = (folder: string): void => {
    const pj = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as {
      name: string;
      version: string;
      dependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
      peerDependencies?: Record<string, string>;
      peerDependenciesMeta?: Record<string, { optional?: boolean }>;
    };
    const key = `${pj.name}@${pj.version}`;
    if (seen.has(key)) return;
    seen.set(key, folder);
    const peers = Object.keys(pj.peerDependencies ?? {}).filter((n) => pj.peerDependenciesMeta?.[n]?.optional !== true);
    for (const name of new Set([...Object.keys(pj.dependencies ?? {}), ...Object.keys(pj.optionalDependencies ?? {}), ...peers])) {
      const found = resolveFrom(name, folder);
      if (found) visit(found);
    }
  };
  for (const name of new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.optionalDependencies ?? {})])) {
    const found = resolveFrom(name, from);
    if (!found) throw new Error(`${name} is a dependency of the package but is not installed under ${from}: run npm ci`);
    visit(found);
  }
  return [...seen.values()];
}

/**
 * This checkout staged as `npm pack` would take it (package.json `files`, README, …), with
 * `version` instead of package.json's, in a temporary folder ready for `npm publish`. It ships
 * the committed dist/cli.js, exactly what users install.
 */
export async function stageThisPackage(version: string): Promise<string> {
  const { stdout } = await execFileAsync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: repoRoot, env: cleanNpmEnv(), maxBuffer: 16 * 1024 * 1024 });
  const [pack] = JSON.parse(stdout) as Array<{ files: Array<{ path: string }> }>;
  if (!pack) throw new Error('npm pack --dry-run listed nothing');
  const stage = mkdtempSync(join(tmpdir(), 'mrg-package-'));
  for (const { path } of pack.files) {
    mkdirSync(dirname(join(stage, path)), { recursive: true });
    cpSync(join(repoRoot, path), join(stage, path));
  }
  const manifest = JSON.parse(readFileSync(join(stage, 'package.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(stage, 'package.json'), `${JSON.stringify({ ...manifest, version }, null, 2)}\n`);
  return stage;
}
