/**
 * DuckDB's httpfs extension (s3:// reads), obtained without DuckDB's own extension server: the
 * embedded DuckDB never downloads anything by itself (`autoinstall_known_extensions = false`).
 * httpfs is not built into @duckdb/node-api, and extensions.duckdb.org may be unreachable from a
 * runner that can still reach a package index. DuckDB publishes the same signed build on PyPI as
 * the wheel `duckdb-extension-httpfs==<DuckDB version>`, so on first use:
 * 1. the extension already in the tool cache (`$RUNNER_TOOL_CACHE/model-release-gate-duckdb/
 *    extensions/v<version>/<platform>/httpfs.duckdb_extension`, DuckDB's own layout) is loaded;
 * 2. otherwise the pinned wheel for this platform is found on the package index (PEP 503/691
 *    simple API: MRG_PYPI_INDEX_URL, else PIP_INDEX_URL, else PyPI), downloaded with a timeout,
 *    checked against the sha256 pinned here (anything else is refused), and its extension file
 *    written beside the tool cache's DuckDB (write, then rename: a half-written file is never
 *    at the final path). A file there that DuckDB refuses to load is replaced the same way.
 * DuckDB checks the extension's signature when it loads it, as for its own downloads.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { quoteString } from '../sql/dialect.js';
import { DUCKDB_VERSION } from './load-duckdb.js';
import { readZipEntry } from './zip-entry.js';

/** The DuckDB release of the pinned @duckdb/node-api (`1.5.5-r.5` → `1.5.5`): extensions are built per release. */
export const DUCKDB_ENGINE_VERSION = DUCKDB_VERSION.replace(/-.*$/, '');

/** The registry package that carries the extension. */
export const HTTPFS_PACKAGE = 'duckdb-extension-httpfs';

export interface PinnedWheel {
  /** The wheel's file name on the index. */
  file: string;
  /** sha256 of the whole wheel, as the index listed it when it was pinned. */
  sha256: string;
}

/**
 * The wheels of duckdb-extension-httpfs 1.5.5, by DuckDB platform name (`PRAGMA platform`),
 * digests as PyPI lists them. A DuckDB upgrade changes these with it (a unit test keeps the
 * version in the names equal to DUCKDB_ENGINE_VERSION).
 */
export const HTTPFS_WHEELS: Readonly<Record<string, PinnedWheel>> = {
  linux_amd64: { file: 'duckdb_extension_httpfs-1.5.5-py3-none-manylinux2014_x86_64.whl', sha256: '84913dbe172ccb54368de2c4a020c38ca8b0e76f99df548f7fac37934cc7826f' },
  linux_arm64: { file: 'duckdb_extension_httpfs-1.5.5-py3-none-manylinux2014_aarch64.whl', sha256: '567d17e398fc29f7ea4bc42ea277ea19643bd1ad1815f676cb6dd994b50399bb' },
  osx_amd64: { file: 'duckdb_extension_httpfs-1.5.5-py3-none-macosx_11_0_x86_64.whl', sha256: '5dc6e48e7a6d4c775d88fcd9b6529b385559600c0cd17a2600addfdd34ae3060' },
  osx_arm64: { file: 'duckdb_extension_httpfs-1.5.5-py3-none-macosx_11_0_arm64.whl', sha256: 'a6d9b245ac83834543354e826020b35b8dba16291bb876b2b00bd49f2c6aeb9d' },
  windows_amd64: { file: 'duckdb_extension_httpfs-1.5.5-py3-none-win_amd64.whl', sha256: '138fd4368906c04636642023c123bd564d1bd1b9b75cd762f9f9bfad6fccb1ba' },
};

/** Where the extension sits inside the wheel. */
export const HTTPFS_WHEEL_ENTRY = `duckdb_extension_httpfs/extensions/v${DUCKDB_ENGINE_VERSION}/httpfs.duckdb_extension`;

export const DEFAULT_PACKAGE_INDEX = 'https://pypi.org/simple';

/** One download (the index page, then the ~7 MB wheel) may take this long before it is abandoned. */
export const DEFAULT_DOWNLOAD_TIMEOUT_MS = 120_000;

/** Runs one SQL statement on the connection that will read S3. */
export type RunSql = (sql: string) => Promise<void>;

export interface HttpfsOptions {
  env?: NodeJS.ProcessEnv;
  /** DuckDB's platform name; default: this process's (duckDbPlatform). */
  platform?: string;
  /** Default: HTTPFS_WHEELS (tests pin their own). */
  wheels?: Readonly<Record<string, PinnedWheel>>;
  fetch?: typeof fetch;
  downloadTimeoutMs?: number;
  log?: (line: string) => void;
}

/** The extension could not be obtained or loaded: an environment problem, worded for the CI log. */
export class DuckDbExtensionError extends Error {
  override readonly name = 'DuckDbExtensionError';
}

/** DuckDB's platform name for a Node platform and architecture (`linux_amd64`, `osx_arm64`...), undefined when DuckDB has none. */
export function duckDbPlatform(platform: NodeJS.Platform = process.platform, arch: string = process.arch): string | undefined {
  const os = platform === 'linux' ? 'linux' : platform === 'darwin' ? 'osx' : platform === 'win32' ? 'windows' : undefined;
  const cpu = arch === 'x64' ? 'amd64' : arch === 'arm64' ? 'arm64' : undefined;
  return os && cpu ? `${os}_${cpu}` : undefined;
}

/** `$RUNNER_TOOL_CACHE/model-release-gate-duckdb/extensions` (`~/.cache/...` outside a runner): DuckDB's extension_directory. */
export function extensionDirectory(env: NodeJS.ProcessEnv): string {
  return join(env.RUNNER_TOOL_CACHE || join(homedir(), '.cache'), 'model-release-gate-duckdb', 'extensions');
}

/** Where the httpfs build for `platform` is kept: DuckDB's layout under extensionDirectory. */
export function httpfsPath(env: NodeJS.ProcessEnv, platform: string): string {
  return join(extensionDirectory(env), `v${DUCKDB_ENGINE_VERSION}`, platform, 'httpfs.duckdb_extension');
}

/** The simple-API index to download from: MRG_PYPI_INDEX_URL, PIP_INDEX_URL, else PyPI. */
export function packageIndex(env: NodeJS.ProcessEnv): string {
  return (env.MRG_PYPI_INDEX_URL || env.PIP_INDEX_URL || DEFAULT_PACKAGE_INDEX).replace(/\/+$/, '');
}

/**
 * Load httpfs into the connection `run` speaks to, installing it into the tool cache first when
 * it is not there (or is there but DuckDB will not load it). Throws DuckDbExtensionError.
 */
export async function loadHttpfs(run: RunSql, options: HttpfsOptions = {}): Promise<void> {
  const env = options.env ?? process.env;
  const platform = options.platform ?? duckDbPlatform();
  const wheel = platform === undefined ? undefined : (options.wheels ?? HTTPFS_WHEELS)[platform];
  if (platform === undefined || wheel === undefined) {
    throw new DuckDbExtensionError(
      `DuckDB's httpfs extension (needed for s3:// sources) has no pinned build for ${platform ?? `${process.platform}/${process.arch}`}; read the data from local files instead`,
    );
  }
  const file = httpfsPath(env, platform);
  // Never reach extensions.duckdb.org: what loads is what was verified here.
  await run(`SET autoinstall_known_extensions = false; SET extension_directory = ${quoteString(extensionDirectory(env))}`);
  if (existsSync(file)) {
    try {
      await run(`LOAD ${quoteString(file)}`);
      return;
    } catch (error) {
      options.log?.(`DuckDB could not load ${file} (${firstLine(error)}); installing it again.`);
      rmSync(file, { force: true });
    }
  }
  options.log?.(`Installing DuckDB's httpfs extension ${DUCKDB_ENGINE_VERSION} (${wheel.file}) into ${dirname(file)} (first use on this runner)...`);
  try {
    await installHttpfs(file, wheel, env, options);
  } catch (error) {
    const index = redactUrl(packageIndex(env));
    throw new DuckDbExtensionError(
      `could not install DuckDB's httpfs extension (needed for s3:// sources): ${(error as Error).message}; ` +
        `set MRG_PYPI_INDEX_URL (or PIP_INDEX_URL) to a package index that serves ${HTTPFS_PACKAGE}==${DUCKDB_ENGINE_VERSION} (now ${index}), ` +
        `or put the extension from ${wheel.file} (${HTTPFS_WHEEL_ENTRY}) at ${file}`,
    );
  }
  try {
    await run(`LOAD ${quoteString(file)}`);
  } catch (error) {
    rmSync(file, { force: true });
    throw new DuckDbExtensionError(`DuckDB could not load the httpfs extension it was given (${wheel.file}): ${firstLine(error)}`);
  }
}

async function installHttpfs(file: string, wheel: PinnedWheel, env: NodeJS.ProcessEnv, options: HttpfsOptions): Promise<void> {
  const fetchFn = options.fetch ?? fetch;
  const timeoutMs = options.downloadTimeoutMs ?? DEFAULT_DOWNLOAD_TIMEOUT_MS;
  const index = packageIndex(env);
  const url = await wheelUrl(index, wheel.file, fetchFn, timeoutMs);
  const bytes = await download(url, index, fetchFn, timeoutMs);
  const digest = createHash('sha256').update(bytes).digest('hex');
  if (digest !== wheel.sha256) {
    throw new Error(`${wheel.file} from ${redactUrl(url)} has sha256 ${digest}, not the pinned ${wheel.sha256}: refusing to load it`);
  }
  const extension = readZipEntry(bytes, HTTPFS_WHEEL_ENTRY);
  mkdirSync(dirname(file), { recursive: true });
  // Two jobs installing at once each write their own file; the last rename wins, with the same bytes.
  const staging = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(staging, extension);
    renameSync(staging, file);
  } finally {
    rmSync(staging, { force: true });
  }
}

/** The wheel's URL from the index's project page (PEP 691 JSON, or PEP 503 HTML). */
async function wheelUrl(index: string, wheelFile: string, fetchFn: typeof fetch, timeoutMs: number): Promise<string> {
  const page = `${index}/${HTTPFS_PACKAGE}/`;
  const response = await request(page, index, fetchFn, timeoutMs, 'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.1');
  const body = await response.text();
  const links: Array<{ filename: string; href: string }> = [];
  if ((response.headers.get('content-type') ?? '').includes('json')) {
    const files = (JSON.parse(body) as { files?: Array<{ filename?: string; url?: string }> }).files ?? [];
    for (const f of files) if (f.filename && f.url) links.push({ filename: f.filename, href: f.url });
  } else {
    for (const match of body.matchAll(/<a\s[^>]*href\s*=\s*["']([^"']+)["'][^>]*>\s*([^<]+?)\s*<\/a>/gi)) {
      links.push({ href: decodeEntities(match[1]!), filename: decodeEntities(match[2]!) });
    }
  }
  const link = links.find((l) => l.filename === wheelFile || new URL(l.href, 'http://x/').pathname.endsWith(`/${wheelFile}`));
  if (!link) throw new Error(`${redactUrl(page)} lists no ${wheelFile}`);
  const url = new URL(link.href, response.url || page);
  url.hash = '';
  return url.href;
}

async function download(url: string, index: string, fetchFn: typeof fetch, timeoutMs: number): Promise<Buffer> {
  const response = await request(url, index, fetchFn, timeoutMs);
  try {
    return Buffer.from(await response.arrayBuffer());
  } catch (error) {
    throw new Error(`GET ${redactUrl(url)} broke off: ${(error as Error).message}`);
  }
}

/**
 * GET with a timeout over the whole transfer. Credentials in the index URL (user:token@host, as
 * pip accepts them) become a Basic header, sent only to the index's own origin, never logged.
 */
async function request(url: string, index: string, fetchFn: typeof fetch, timeoutMs: number, accept?: string): Promise<Response> {
  const target = new URL(url);
  const indexUrl = new URL(index);
  const headers: Record<string, string> = accept ? { accept } : {};
  if ((indexUrl.username || indexUrl.password) && target.host === indexUrl.host) {
    headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(indexUrl.username)}:${decodeURIComponent(indexUrl.password)}`).toString('base64')}`;
  }
  target.username = '';
  target.password = '';
  const signal = AbortSignal.timeout(timeoutMs);
  let response: Response;
  try {
    response = await fetchFn(target.href, { headers, signal, redirect: 'follow' });
  } catch (error) {
    if (signal.aborted) throw new Error(`GET ${target.href} timed out after ${timeoutMs >= 1000 ? `${Math.round(timeoutMs / 1000)} s` : `${timeoutMs} ms`}`);
    const cause = (error as { cause?: { message?: string } }).cause?.message;
    throw new Error(`GET ${target.href} failed: ${(error as Error).message}${cause ? ` (${cause})` : ''}`);
  }
  if (!response.ok) throw new Error(`GET ${target.href}: HTTP ${response.status} ${response.statusText}`.trim());
  // The body is read by the caller under the same signal: a stalled transfer also times out.
  return response;
}

/** A URL with any user:password removed, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.username && !parsed.password) return url;
    parsed.username = '';
    parsed.password = '';
    return parsed.href;
  } catch {
    return url.replace(/\/\/[^/@]*@/, '//');
  }
}

function decodeEntities(text: string): string {
  return text
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#0*39;/g, "'");
}

function firstLine(error: unknown): string {
  const message = typeof (error as { message?: unknown })?.message === 'string' ? (error as { message: string }).message : String(error);
  return message.split('\n')[0]!.trim();
}
