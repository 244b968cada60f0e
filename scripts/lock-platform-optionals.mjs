// npm writes a platform-specific optional package (a native binding for darwin-arm64,
// win32-x64, ...) into package-lock.json only when its registry serves that package's
// metadata. A registry that serves only this machine's builds leaves the other platforms out,
// and `npm ci` then refuses the lock ("Missing: <package>@ from lock file"), on every machine.
// This adds the missing entries: the exact version from the parent's optionalDependencies,
// `optional: true`, and the os/cpu/libc the package name encodes, so npm ci skips them where
// they do not apply and installs them where they do. Nothing is downloaded here.
//
// Run after any `npm install` that changes the lock:  node scripts/lock-platform-optionals.mjs
// `--check` exits 1 (changing nothing) when entries are missing.
import { readFileSync, writeFileSync } from 'node:fs';

const LOCK = 'package-lock.json';
const OS = new Set(['darwin', 'linux', 'win32', 'android', 'freebsd', 'openharmony', 'openbsd', 'netbsd', 'sunos', 'aix']);
const CPU = new Set(['arm64', 'x64', 'arm', 'ia32', 'loong64', 'ppc64', 'riscv64', 's390x', 'mips64el', 'wasm32']);
const EXACT_VERSION = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

/** `@duckdb/node-bindings-linux-arm64-musl` → { os: linux, cpu: arm64, libc: musl }. */
function platformOf(name) {
  const parts = name.split('/').pop().split('-');
  const at = parts.findIndex((p, i) => OS.has(p) && CPU.has(parts[i + 1]));
  if (at < 0) return undefined;
  const os = parts[at];
  const cpu = parts[at + 1];
  const rest = parts.slice(at + 2).join('-');
  const libc = os === 'linux' ? (rest.includes('musl') ? 'musl' : 'glibc') : undefined;
  return { os, cpu, libc };
}

const lock = JSON.parse(readFileSync(LOCK, 'utf8'));
const packages = lock.packages;
const added = [];
for (const [path, entry] of Object.entries(packages)) {
  for (const [name, spec] of Object.entries(entry.optionalDependencies ?? {})) {
    // npm resolves a dependency from the parent's own node_modules up to the top level.
    const segments = path === '' ? [] : path.split('/node_modules/');
    const candidates = [];
    for (let i = segments.length; i >= 0; i--) {
      const base = segments.slice(0, i).join('/node_modules/');
      candidates.push(base === '' ? `node_modules/${name}` : `${base}/node_modules/${name}`);
    }
    if (candidates.some((c) => packages[c] !== undefined)) continue;
    const platform = platformOf(name);
    if (!platform) throw new Error(`${name} (optional dependency of ${path || 'the root'}) is missing from ${LOCK} and is not a platform package: install it normally`);
    if (!EXACT_VERSION.test(spec)) throw new Error(`${name}@${spec}: not an exact version, cannot pin it without the registry`);
    const key = `node_modules/${name}`;
    packages[key] = {
      version: spec,
      cpu: [platform.cpu],
      ...(entry.dev ? { dev: true } : {}),
      ...(platform.libc ? { libc: [platform.libc] } : {}),
      optional: true,
      os: [platform.os],
    };
    added.push(`${name}@${spec}`);
  }
}

if (process.argv.includes('--check')) {
  if (added.length > 0) {
    console.error(`${LOCK} lacks ${added.length} platform-specific optional packages (npm ci will refuse it):\n  ${added.join('\n  ')}\nRun: node scripts/lock-platform-optionals.mjs`);
    process.exit(1);
  }
  console.log(`${LOCK}: every platform-specific optional package is recorded.`);
} else {
  // Keep npm's own order: the root entry first, then paths in sorted order.
  lock.packages = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b, 'en'))));
  writeFileSync(LOCK, `${JSON.stringify(lock, null, 2)}\n`);
  console.log(added.length > 0 ? `added ${added.length} entries:\n  ${added.join('\n  ')}` : 'nothing to add');
}
