/**
 * Obtaining DuckDB's httpfs extension: which wheel a platform gets, where it is kept, and the
 * install from a package index on loopback (a wheel built here around a stand-in extension; the
 * SQL runner is a fake that records statements, so no DuckDB is involved): a digest that is not
 * the pinned one is refused, a file DuckDB will not load is replaced, nothing half-written is
 * ever at the final path, and a stalled index times out.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  DEFAULT_PACKAGE_INDEX,
  DUCKDB_ENGINE_VERSION,
  duckDbPlatform,
  DuckDbExtensionError,
  extensionDirectory,
  HTTPFS_WHEEL_ENTRY,
  HTTPFS_WHEELS,
  httpfsPath,
  loadHttpfs,
  packageIndex,
  redactUrl,
  type PinnedWheel,
} from '../../../src/data/engine/duckdb-extensions.js';
import { DUCKDB_VERSION } from '../../../src/data/engine/load-duckdb.js';
import { startPackageIndex, type PackageIndex } from '../../support/package-index.js';
import { storedZip } from '../../support/zip.js';

const PLATFORM = 'linux_amd64';
const WHEEL_FILE = HTTPFS_WHEELS[PLATFORM]!.file;
const EXTENSION = Buffer.from('stand-in for httpfs.duckdb_extension');
const WHEEL = storedZip({ 'duckdb_extension_httpfs/__init__.py': '', [HTTPFS_WHEEL_ENTRY]: EXTENSION });
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const PINNED: Record<string, PinnedWheel> = { [PLATFORM]: { file: WHEEL_FILE, sha256: sha256(WHEEL) } };

let cache: string;
let index: PackageIndex | undefined;
beforeEach(() => {
  cache = mkdtempSync(join(tmpdir(), 'mrg-ext-'));
});
afterEach(async () => {
  await index?.stop();
  index = undefined;
  rmSync(cache, { recursive: true, force: true });
});

/** A SQL runner that records statements; LOAD of a path fails while `refuse(path)` says so. */
function fakeDuckDb(refuse: (path: string) => boolean = () => false) {
  const statements: string[] = [];
  const run = async (sql: string) => {
    statements.push(sql);
    const load = /^LOAD '(.*)'$/.exec(sql);
    if (load && refuse(load[1]!)) throw new Error(`IO Error: Extension "${load[1]}" could not be loaded: not a DuckDB extension\nmore detail`);
  };
  return { run, statements, loads: () => statements.filter((s) => s.startsWith('LOAD')) };
}

async function install(options: { refuse?: (path: string) => boolean; wheels?: Record<string, Buffer>; json?: boolean; stall?: boolean; auth?: string; indexUrl?: (url: string) => string; timeoutMs?: number } = {}) {
  index = await startPackageIndex(options.wheels ?? { [WHEEL_FILE]: WHEEL }, { ...(options.json ? { json: true } : {}), ...(options.stall ? { stallFiles: true } : {}), ...(options.auth ? { basicAuth: options.auth } : {}) });
  const env = { RUNNER_TOOL_CACHE: cache, MRG_PYPI_INDEX_URL: (options.indexUrl ?? ((u) => u))(index.url) };
  const duck = fakeDuckDb(options.refuse);
  const log: string[] = [];
  const outcome = await loadHttpfs(duck.run, { env, platform: PLATFORM, wheels: PINNED, log: (l) => log.push(l), ...(options.timeoutMs ? { downloadTimeoutMs: options.timeoutMs } : {}) }).then(
    () => undefined,
    (error: Error) => error,
  );
  return { env, duck, log, error: outcome, file: httpfsPath(env, PLATFORM), requests: index.requests };
}

describe('which build', () => {
  it("maps Node's platform and architecture to DuckDB's platform names", () => {
    expect(duckDbPlatform('linux', 'x64')).toBe('linux_amd64');
    expect(duckDbPlatform('linux', 'arm64')).toBe('linux_arm64');
    expect(duckDbPlatform('darwin', 'arm64')).toBe('osx_arm64');
    expect(duckDbPlatform('darwin', 'x64')).toBe('osx_amd64');
    expect(duckDbPlatform('win32', 'x64')).toBe('windows_amd64');
    expect(duckDbPlatform('freebsd', 'x64')).toBeUndefined();
    expect(duckDbPlatform('linux', 'ia32')).toBeUndefined();
  });

  it('pins one wheel of the DuckDB release in use per platform, each with a sha256', () => {
    expect(DUCKDB_ENGINE_VERSION).toBe(DUCKDB_VERSION.split('-')[0]);
    expect(Object.keys(HTTPFS_WHEELS).sort()).toEqual(['linux_amd64', 'linux_arm64', 'osx_amd64', 'osx_arm64', 'windows_amd64']);
    for (const wheel of Object.values(HTTPFS_WHEELS)) {
      expect(wheel.file).toMatch(new RegExp(`^duckdb_extension_httpfs-${DUCKDB_ENGINE_VERSION.replace(/\./g, '\\.')}-py3-none-[a-z0-9_]+\\.whl$`));
      expect(wheel.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(HTTPFS_WHEEL_ENTRY).toBe(`duckdb_extension_httpfs/extensions/v${DUCKDB_ENGINE_VERSION}/httpfs.duckdb_extension`);
  });

  it("keeps it in the runner's tool cache, beside DuckDB, in DuckDB's own layout", () => {
    expect(httpfsPath({ RUNNER_TOOL_CACHE: '/opt/hostedtoolcache' }, 'linux_arm64')).toBe(`/opt/hostedtoolcache/model-release-gate-duckdb/extensions/v${DUCKDB_ENGINE_VERSION}/linux_arm64/httpfs.duckdb_extension`);
    expect(extensionDirectory({ RUNNER_TOOL_CACHE: '/t' })).toBe('/t/model-release-gate-duckdb/extensions');
  });

  it('downloads from MRG_PYPI_INDEX_URL, else PIP_INDEX_URL, else PyPI', () => {
    expect(packageIndex({})).toBe(DEFAULT_PACKAGE_INDEX);
    expect(packageIndex({ PIP_INDEX_URL: 'https://mirror.example/simple/' })).toBe('https://mirror.example/simple');
    expect(packageIndex({ PIP_INDEX_URL: 'https://a.example/simple', MRG_PYPI_INDEX_URL: 'https://b.example/pypi/simple' })).toBe('https://b.example/pypi/simple');
    expect(redactUrl('https://user:tok@a.example/simple')).toBe('https://a.example/simple');
  });

  it('a platform without a pinned build is a clear error, before any download', async () => {
    const duck = fakeDuckDb();
    await expect(loadHttpfs(duck.run, { env: { RUNNER_TOOL_CACHE: cache }, platform: 'linux_riscv64' })).rejects.toThrow(
      new DuckDbExtensionError("DuckDB's httpfs extension (needed for s3:// sources) has no pinned build for linux_riscv64; read the data from local files instead"),
    );
    expect(duck.statements).toEqual([]);
  });
});

describe('install', () => {
  it('first use: finds the wheel on the index, checks its digest, writes the extension and loads it from there', async () => {
    const run = await install();
    expect(run.error).toBeUndefined();
    expect(run.requests).toEqual(['/simple/duckdb-extension-httpfs/', `/files/${WHEEL_FILE}`]);
    expect(readFileSync(run.file).equals(EXTENSION)).toBe(true);
    expect(readdirSync(dirname(run.file))).toEqual(['httpfs.duckdb_extension']);
    expect(run.duck.statements).toEqual([
      `SET autoinstall_known_extensions = false; SET extension_directory = '${extensionDirectory(run.env)}'`,
      `LOAD '${run.file}'`,
    ]);
    expect(run.log).toEqual([expect.stringMatching(/^Installing DuckDB's httpfs extension 1\.5\.5 \(duckdb_extension_httpfs-1\.5\.5-py3-none-manylinux2014_x86_64\.whl\) into .* \(first use on this runner\)\.\.\.$/)]);
  });

  it('later uses load the installed file without asking the index', async () => {
    const first = await install();
    await index?.stop();
    index = await startPackageIndex({});
    const duck = fakeDuckDb();
    await loadHttpfs(duck.run, { env: first.env, platform: PLATFORM, wheels: PINNED });
    expect(duck.loads()).toEqual([`LOAD '${first.file}'`]);
    expect(index.requests).toEqual([]);
  });

  it('reads the PEP 691 JSON form of the index, with URLs relative to the page', async () => {
    const run = await install({ json: true });
    expect(run.error).toBeUndefined();
    expect(run.requests).toEqual(['/simple/duckdb-extension-httpfs/', `/files/${WHEEL_FILE}`]);
  });

  it('sends the credentials of an index URL as Basic auth, and never names them', async () => {
    const ok = await install({ auth: 'ci:s3cr3t', indexUrl: (u) => u.replace('//', '//ci:s3cr3t@') });
    expect(ok.error).toBeUndefined();
    await index?.stop();
    rmSync(cache, { recursive: true, force: true });
    const denied = await install({ auth: 'ci:s3cr3t', indexUrl: (u) => u.replace('//', '//ci:wrong@') });
    expect(denied.error?.message).toMatch(/HTTP 401/);
    expect(denied.error?.message).not.toMatch(/wrong|s3cr3t/);
  });

  it('refuses a wheel whose sha256 is not the pinned one, and leaves nothing behind', async () => {
    const tampered = storedZip({ [HTTPFS_WHEEL_ENTRY]: Buffer.from('something else') });
    const run = await install({ wheels: { [WHEEL_FILE]: tampered } });
    expect(run.error).toBeInstanceOf(DuckDbExtensionError);
    expect(run.error?.message).toContain(`has sha256 ${sha256(tampered)}, not the pinned ${PINNED[PLATFORM]!.sha256}: refusing to load it`);
    expect(run.error?.message).toMatch(/^could not install DuckDB's httpfs extension \(needed for s3:\/\/ sources\): .*; set MRG_PYPI_INDEX_URL \(or PIP_INDEX_URL\) to a package index that serves duckdb-extension-httpfs==1\.5\.5 \(now http:\/\/127\.0\.0\.1:\d+\/simple\), or put the extension from .* at .*httpfs\.duckdb_extension$/);
    expect(existsSync(run.file)).toBe(false);
    expect(existsSync(dirname(run.file)) ? readdirSync(dirname(run.file)) : []).toEqual([]);
    expect(run.duck.loads()).toEqual([]);
  });

  it('an index without the pinned file says so', async () => {
    const run = await install({ wheels: { 'duckdb_extension_httpfs-1.5.4-py3-none-manylinux2014_x86_64.whl': WHEEL } });
    expect(run.error?.message).toMatch(new RegExp(`/simple/duckdb-extension-httpfs/ lists no ${WHEEL_FILE.replace(/\./g, '\\.')}`));
  });

  it('a file DuckDB will not load (a half or broken install) is replaced by a fresh one', async () => {
    const file = httpfsPath({ RUNNER_TOOL_CACHE: cache }, PLATFORM);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, 'half written');
    let loads = 0;
    const run = await install({ refuse: () => ++loads === 1 });
    expect(run.error).toBeUndefined();
    expect(run.duck.loads()).toEqual([`LOAD '${file}'`, `LOAD '${file}'`]);
    expect(readFileSync(file).equals(EXTENSION)).toBe(true);
    expect(run.log[0]).toBe(`DuckDB could not load ${file} (IO Error: Extension "${file}" could not be loaded: not a DuckDB extension); installing it again.`);
  });

  it('a fresh file DuckDB will not load either is an error, and is removed', async () => {
    const run = await install({ refuse: () => true });
    expect(run.error?.message).toBe(`DuckDB could not load the httpfs extension it was given (${WHEEL_FILE}): IO Error: Extension "${run.file}" could not be loaded: not a DuckDB extension`);
    expect(existsSync(run.file)).toBe(false);
  });

  it('a download that stalls times out', async () => {
    const started = Date.now();
    const run = await install({ stall: true, timeoutMs: 300 });
    expect(run.error?.message).toMatch(/GET http:\/\/127\.0\.0\.1:\d+\/files\/duckdb_extension_httpfs-1\.5\.5-py3-none-manylinux2014_x86_64\.whl timed out after 300 ms/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
