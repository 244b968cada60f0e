// Benchmark: what a user downloads and waits for when they run the CLI with npx.
//
// Run from the repository root, with the Node 24 that npm scripts use:
//
//   npm exec -- node bench/install/run.mjs                    (3 timed runs per package)
//   npm exec -- node bench/install/run.mjs --before <git ref> --runs 5
//
// Two packages are measured side by side in the same run: "before", packed from a git ref
// (default HEAD, i.e. the last commit), and "after", packed from the working tree. For each:
// the `npm pack --json` listing (files, tarball and unpacked size); then both are published
// under test versions to a throwaway verdaccio registry on loopback (bench/install/registry.mjs)
// whose uplink is the registry npm is configured with here, and, in an empty folder with an
// empty npm cache each time, `npx --yes model-release-gate@<test version> --help` is timed and
// the installed size is measured (du of the npx cache's node_modules). One untimed run of each
// comes first, so the registry has fetched every dependency from its uplink and the timed runs
// measure npx, not the uplink. Results go to bench/install/results.md and results.json.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { configuredRegistry, startLocalRegistry } from './registry.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const NAME = 'model-release-gate';
const flag = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : fallback;
};
const RUNS = Number(flag('--runs', '3'));
const BEFORE_REF = flag('--before', 'HEAD');
const KEEP = process.argv.includes('--keep');
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error('--runs must be a positive integer');

if (!process.version.startsWith('v24.')) {
  console.error(`This benchmark must run on Node 24 (the CLI's runtime); this is ${process.version}.`);
  console.error('Run it as: npm exec -- node bench/install/run.mjs');
  process.exit(2);
}

const work = mkdtempSync(join(tmpdir(), 'mrg-install-bench-'));
const log = (line) => console.log(`[install-bench] ${line}`);

/** npm's environment for the children: no settings inherited from an enclosing `npm exec`. */
function npmEnv(extra) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_(config|package|lifecycle)_/i.test(key)) continue;
    env[key] = value;
  }
  return { ...env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false', ...extra };
}

function run(cmd, args, options) {
  const result = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  if (result.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  }
  return result.stdout;
}

/** Bytes on disk under `dir` (du -sk, so it matches what a user sees), and packages in it. */
function installedSize(dir) {
  const kib = Number(execFileSync('du', ['-sk', dir], { encoding: 'utf8' }).split(/\s/)[0]);
  let packages = 0;
  const walk = (nodeModules) => {
    for (const entry of readdirSync(nodeModules, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
      const dirs = entry.name.startsWith('@')
        ? readdirSync(join(nodeModules, entry.name), { withFileTypes: true })
            .filter((d) => d.isDirectory())
            .map((d) => join(nodeModules, entry.name, d.name))
        : [join(nodeModules, entry.name)];
      for (const pkg of dirs) {
        packages += 1;
        const nested = join(pkg, 'node_modules');
        if (statSync(nested, { throwIfNoEntry: false })?.isDirectory()) walk(nested);
      }
    }
  };
  walk(dir);
  return { bytes: kib * 1024, packages };
}

/** Packs `source` (a checkout) into `dest`; returns npm pack's JSON entry and the tarball path. */
function pack(source, dest) {
  mkdirSync(dest, { recursive: true });
  const out = run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dest], { cwd: source, env: npmEnv({}) });
  const [entry] = JSON.parse(out);
  return { entry, tarball: join(dest, entry.filename) };
}

const variants = [
  { label: 'before', describe: `git ${BEFORE_REF}` },
  { label: 'after', describe: 'working tree' },
];
const results = {};
let registry;
try {
  // 1. Pack both. "before" from a clean export of the ref (git archive: no working-tree files).
  const beforeSrc = join(work, 'before-src');
  mkdirSync(beforeSrc);
  execFileSync('sh', ['-c', `git archive --format=tar "$1" | tar -x -C "$2"`, 'sh', BEFORE_REF, beforeSrc], { cwd: root });
  const commit = execFileSync('git', ['rev-parse', '--short', BEFORE_REF], { cwd: root, encoding: 'utf8' }).trim();
  variants[0].describe = `git ${BEFORE_REF} (${commit})`;
  variants[0].source = beforeSrc;
  variants[1].source = root;

  const uplink = configuredRegistry(npmEnv({}));
  registry = await startLocalRegistry({ dir: join(work, 'registry'), uplink, localPackages: [NAME] });
  log(`local registry on ${registry.url} (uplink: the registry npm is configured with)`);
  const userconfig = join(work, 'npmrc');
  const authLine = `//${new URL(registry.url).host}/:_authToken=${registry.token}`;
  writeFileSync(userconfig, `registry=${registry.url}\n${authLine}\n`);
  const base = { npm_config_userconfig: userconfig, npm_config_registry: registry.url };

  for (const variant of variants) {
    const { entry, tarball } = pack(variant.source, join(work, 'packs', variant.label));
    // Publish the very same files under a test version: unpack, rename the version, publish.
    const publishDir = join(work, 'publish', variant.label);
    mkdirSync(publishDir, { recursive: true });
    execFileSync('tar', ['-xzf', tarball, '-C', publishDir]);
    const pkgDir = join(publishDir, 'package');
    const manifest = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
    variant.version = `${manifest.version}-install-bench.${variant.label}`;
    manifest.version = variant.version;
    writeFileSync(join(pkgDir, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
    run('npm', ['publish', '--ignore-scripts', '--tag', 'install-bench'], {
      cwd: pkgDir,
      env: npmEnv({ ...base, npm_config_cache: join(work, 'publish-cache') }),
    });
    results[variant.label] = {
      describe: variant.describe,
      version: variant.version,
      pack: {
        files: entry.entryCount,
        tarballBytes: entry.size,
        unpackedBytes: entry.unpackedSize,
        listing: entry.files.map((f) => ({ path: f.path, bytes: f.size })),
      },
      dependencies: Object.keys(manifest.dependencies ?? {}),
      runs: [],
    };
    log(`${variant.label}: packed ${entry.entryCount} files, ${entry.size} bytes; published ${variant.version}`);
  }

  /** One cold npx run: empty folder, empty cache; returns wall ms and the installed size. */
  const npxOnce = (variant, n) => {
    const dir = join(work, 'runs', `${variant.label}-${n}`);
    const cwd = join(dir, 'cwd');
    const cache = join(dir, 'cache');
    mkdirSync(cwd, { recursive: true });
    mkdirSync(cache, { recursive: true });
    const started = performance.now();
    const result = spawnSync('npx', ['--yes', `${NAME}@${variant.version}`, '--help'], {
      cwd,
      encoding: 'utf8',
      env: npmEnv({ ...base, npm_config_cache: cache }),
    });
    const ms = performance.now() - started;
    if (result.status !== 0 || !result.stdout.includes(NAME)) {
      throw new Error(`npx ${variant.label} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
    }
    const npxRoot = join(cache, '_npx');
    const [hash] = readdirSync(npxRoot);
    const size = installedSize(join(npxRoot, hash, 'node_modules'));
    rmSync(dir, { recursive: true, force: true });
    return { ms, ...size };
  };

  for (const variant of variants) {
    const warm = npxOnce(variant, 'warmup');
    log(`${variant.label}: warm-up ${warm.ms.toFixed(0)} ms (registry fetched from its uplink)`);
  }
  for (let i = 0; i < RUNS; i++) {
    const order = i % 2 === 0 ? variants : [...variants].reverse();
    for (const variant of order) {
      const r = npxOnce(variant, i);
      results[variant.label].runs.push(r);
      log(`${variant.label}: run ${i + 1}: ${r.ms.toFixed(0)} ms, ${(r.bytes / 1e6).toFixed(1)} MB, ${r.packages} packages`);
    }
  }
} finally {
  await registry?.stop();
  if (!KEEP) rmSync(work, { recursive: true, force: true });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const mb = (bytes) => `${(bytes / 1e6).toFixed(2)} MB`;
const npmVersion = execFileSync('npm', ['--version'], { encoding: 'utf8', env: npmEnv({}) }).trim();
const headCommit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
const summary = Object.fromEntries(
  Object.entries(results).map(([label, r]) => [
    label,
    {
      describe: r.describe,
      files: r.pack.files,
      tarballBytes: r.pack.tarballBytes,
      unpackedBytes: r.pack.unpackedBytes,
      dependencies: r.dependencies,
      installedBytes: median(r.runs.map((x) => x.bytes)),
      installedPackages: median(r.runs.map((x) => x.packages)),
      npxMedianMs: median(r.runs.map((x) => x.ms)),
      npxMinMs: Math.min(...r.runs.map((x) => x.ms)),
      npxMaxMs: Math.max(...r.runs.map((x) => x.ms)),
    },
  ]),
);
const command = `npm exec -- node bench/install/run.mjs${BEFORE_REF !== 'HEAD' ? ` --before ${BEFORE_REF}` : ''}${RUNS !== 3 ? ` --runs ${RUNS}` : ''}`;
const meta = {
  command,
  date: new Date().toISOString(),
  commit: headCommit,
  machine: `${availableParallelism()} CPUs (${cpus()[0]?.model.trim()}), ${process.platform}-${process.arch}`,
  node: process.version,
  npm: npmVersion,
  runs: RUNS,
  load: loadavg()[0].toFixed(2),
};
writeFileSync(join(here, 'results.json'), JSON.stringify({ meta, summary, results }, null, 2) + '\n');

const b = summary.before;
const a = summary.after;
const row = (name, f) => `| ${name} | ${f(b)} | ${f(a)} |`;
const listing = (r) => r.pack.listing.map((f) => `  - \`${f.path}\` (${f.bytes.toLocaleString('en')} B)`).join('\n');
const md = `# Benchmark: installing the CLI with npx

What a user downloads and waits for on \`npx --yes model-release-gate@<version> --help\` (what the
GitLab component runs). Two packages side by side, measured in the same run: **before**, packed
from ${b.describe}, and **after**, packed from ${a.describe}. Each is packed with
\`npm pack --json\` (the listing \`npm pack --dry-run --json\` prints), published under a test version
to a throwaway verdaccio registry on 127.0.0.1 whose uplink is the registry npm is configured with,
and installed and run by \`npx\` in an empty folder with an empty npm cache, ${RUNS} times each
(interleaved), after one untimed run each that lets the local registry fetch every dependency
from its uplink. Installed size: \`du -sk\` of the npx cache's \`node_modules\`.

- Command: \`${meta.command}\` (from the repository root)
- Date: ${meta.date}
- Commit: ${meta.commit} (the "after" column includes uncommitted changes of the working tree)
- Machine: ${meta.machine}, load ${meta.load} at the end (other work on the machine slows npm; the
  interleaved runs share it evenly between the two columns)
- Node ${meta.node}, npm ${meta.npm}

| | before | after |
| --- | ---: | ---: |
${row('files in the package', (s) => s.files)}
${row('tarball (npm pack)', (s) => mb(s.tarballBytes))}
${row('unpacked', (s) => mb(s.unpackedBytes))}
${row('dependencies installed with it', (s) => s.dependencies.length)}
${row('installed size (npx cache node_modules)', (s) => mb(s.installedBytes))}
${row('packages installed', (s) => s.installedPackages)}
${row('cold `npx --yes … --help`, median', (s) => `${(s.npxMedianMs / 1000).toFixed(2)} s`)}
${row('min / max', (s) => `${(s.npxMinMs / 1000).toFixed(2)} / ${(s.npxMaxMs / 1000).toFixed(2)} s`)}

The timings are from a registry on loopback: they measure npm resolving, extracting and linking
the packages, not a network. Over the internet the difference in bytes downloaded adds to them.

Samples (ms, in run order):
- before: ${results.before.runs.map((r) => r.ms.toFixed(0)).join(', ')}
- after: ${results.after.runs.map((r) => r.ms.toFixed(0)).join(', ')}

Dependencies:
- before: ${b.dependencies.map((d) => `\`${d}\``).join(', ')}
- after: ${a.dependencies.map((d) => `\`${d}\``).join(', ')}

Package contents, before:
${listing(results.before)}

Package contents, after:
${listing(results.after)}
`;
writeFileSync(join(here, 'results.md'), md);
log(`wrote bench/install/results.md`);
for (const [label, s] of Object.entries(summary)) {
  log(`${label}: ${s.files} files, tarball ${mb(s.tarballBytes)}, installed ${mb(s.installedBytes)} (${s.installedPackages} packages), npx median ${s.npxMedianMs.toFixed(0)} ms`);
}
