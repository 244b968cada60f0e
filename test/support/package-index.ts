/**
 * A Python package index on loopback (the PEP 503 "simple" API, HTML or PEP 691 JSON), serving
 * wheels from memory, so the product's download of DuckDB's httpfs extension runs for real in
 * tests without the internet. The real wheel comes from .cache/duckdb-httpfs, where
 * test/s3/install-httpfs.sh (run by test/s3/install.sh, which .ci/run calls) puts it.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { duckDbPlatform, HTTPFS_PACKAGE, HTTPFS_WHEELS } from '../../src/data/engine/duckdb-extensions.js';
import { motoInstalled } from './moto.js';
import { describeWithPythonTool } from './python-server.js';
import { repoRoot } from './run-bundle.js';

/** Where install-httpfs.sh puts the wheel: HTTPFS_WHEEL_DIR, else <repo>/.cache/duckdb-httpfs. */
export function httpfsWheelDir(): string {
  return process.env.HTTPFS_WHEEL_DIR || join(repoRoot, '.cache', 'duckdb-httpfs');
}

/** The pinned httpfs wheel for this machine, when install-httpfs.sh has downloaded it. */
export function cachedHttpfsWheel(): { ok: true; file: string; bytes: Buffer } | { ok: false; reason: string } {
  const platform = duckDbPlatform();
  const pinned = platform ? HTTPFS_WHEELS[platform] : undefined;
  if (!pinned) return { ok: false, reason: `no httpfs wheel is pinned for ${process.platform}/${process.arch}` };
  const path = join(httpfsWheelDir(), pinned.file);
  if (!existsSync(path)) return { ok: false, reason: `${path} is missing: run \`bash test/s3/install-httpfs.sh\` (a 7 MB download with pip)` };
  return { ok: true, file: pinned.file, bytes: readFileSync(path) };
}

export interface PackageIndex {
  /** http://127.0.0.1:<port>/simple: what PIP_INDEX_URL / MRG_PYPI_INDEX_URL take. */
  url: string;
  /** The paths requested, in order. */
  requests: string[];
  stop(): Promise<void>;
}

export interface PackageIndexOptions {
  /** The project page as PEP 691 JSON instead of HTML. */
  json?: boolean;
  /** Only these paths answer; other requests are held open and never answered (a stalled index). */
  stallFiles?: boolean;
  /** Basic credentials the index requires (user:password). */
  basicAuth?: string;
}

/** Serves `wheels` (file name → bytes) as the files of HTTPFS_PACKAGE. */
export async function startPackageIndex(wheels: Record<string, Buffer>, options: PackageIndexOptions = {}): Promise<PackageIndex> {
  const requests: string[] = [];
  const held: Array<() => void> = [];
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    requests.push(path);
    if (options.basicAuth && req.headers.authorization !== `Basic ${Buffer.from(options.basicAuth).toString('base64')}`) {
      res.writeHead(401, { 'www-authenticate': 'Basic' }).end();
      return;
    }
    if (path === `/simple/${HTTPFS_PACKAGE}/`) {
      const files = Object.entries(wheels).map(([name, bytes]) => ({ name, sha256: createHash('sha256').update(bytes).digest('hex') }));
      if (options.json) {
        res.writeHead(200, { 'content-type': 'application/vnd.pypi.simple.v1+json' });
        res.end(JSON.stringify({ meta: { 'api-version': '1.1' }, name: HTTPFS_PACKAGE, files: files.map((f) => ({ filename: f.name, url: `../../files/${f.name}`, hashes: { sha256: f.sha256 } })) }));
      } else {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end(`<!DOCTYPE html><html><body>${files.map((f) => `<a href="/files/${f.name}#sha256=${f.sha256}">${f.name}</a><br/>`).join('\n')}</body></html>`);
      }
      return;
    }
    const wheel = /^\/files\/([^/]+)$/.exec(path)?.[1];
    if (wheel !== undefined && wheels[wheel]) {
      if (options.stallFiles) {
        held.push(() => res.destroy());
        return;
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': wheels[wheel].length });
      res.end(wheels[wheel]);
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the package index has no port');
  return {
    url: `http://127.0.0.1:${address.port}/simple`,
    requests,
    stop: async () => {
      for (const release of held) release();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * `describe` when the httpfs wheel is cached (and moto installed, with `moto: true`); otherwise
 * skipped with the reason, or failing in CI, as the moto suites are (MOTO_TESTS=skip skips both).
 */
export function describeWithHttpfs(name: string, options: { moto: boolean }, fn: () => void): void {
  describeWithPythonTool(
    {
      tool: options.moto ? 'moto with the httpfs wheel' : 'the httpfs wheel',
      tests: options.moto ? 'S3-source (moto) tests' : 'httpfs install tests',
      install: () => {
        const wheel = cachedHttpfsWheel();
        if (!wheel.ok) return wheel;
        return options.moto ? motoInstalled() : { ok: true, bin: '', python: '' };
      },
      skipEnvVar: 'MOTO_TESTS',
    },
    name,
    fn,
  );
}
