// Benchmark: wall time of the action's main step deciding a 2,000-commit push.
//
// Run from the repository root, after `npm run bundle`, with the Node 24 that npm scripts use:
//
//   npm exec -- node bench/trigger/run.mjs            (N=11; or: ... run.mjs --runs 21)
//
// It writes a realistic push payload (2,000 commits: a few feat(api), many chore/docs/fix(ui),
// multi-line bodies), then runs `node dist/main.js` as a runner would (command: release, no
// config file, so only the trigger decides and nothing is deployed) N times. In the same run,
// interleaved with it, it times `node -e ""` so the cost of starting Node on this machine is
// measured under the same noise; the ratio and the difference are what to compare across
// machines. Results go to bench/trigger/results.md and results.json.
import { spawnSync, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const bundle = join(root, 'dist', 'main.js');
const COMMITS = 2000;
const TARGET_MEDIAN_MS = 500;
const runsFlag = process.argv.indexOf('--runs');
const RUNS = runsFlag > 0 ? Number(process.argv[runsFlag + 1]) : 11;
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error('--runs must be a positive integer');

if (!process.version.startsWith('v24.')) {
  console.error(`This benchmark must run on Node 24 (the action's runtime); this is ${process.version}.`);
  console.error('Run it as: npm exec -- node bench/trigger/run.mjs');
  process.exit(2);
}

/** Deterministic PRNG (mulberry32) so every run benchmarks the same payload. */
function random(seed) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sha = (n) => n.toString(16).padStart(8, '0').repeat(5);

/** 2,000 commits as GitHub puts them in a push payload: 5 feat(api), the rest a realistic mix. */
function pushPayload() {
  const next = random(20260302);
  const pick = (list) => list[Math.floor(next() * list.length)];
  const featAt = new Set([137, 612, 1044, 1501, 1977]);
  const kinds = [
    ['chore(deps)', ['bump scikit-learn to 1.6.1', 'bump pandas to 2.2.3', 'pin numpy below 2.3']],
    ['chore', ['tidy notebooks', 'regenerate lock file', 'rename training config']],
    ['docs', ['explain the feature store refresh', 'fix typos in the README', 'document the retraining schedule']],
    ['fix(ui)', ['align the probability gauge', 'round percentages to one decimal', 'keep the legend visible']],
    ['test', ['cover empty batches', 'add a fixture for churned accounts']],
    ['refactor(training)', ['split the feature pipeline', 'extract the calibrator']],
    ['ci', ['cache pip downloads', 'run the data checks nightly']],
  ];
  const bodies = [
    '',
    '\n\nThe nightly job had been timing out on the larger accounts table.',
    '\n\nRefs: ML-412',
    '\n\nMeasured on the March snapshot:\n- precision 0.81 → 0.83\n- recall unchanged\n\nCo-authored-by: Sam Chen <sam@example.com>',
    '\n\nThis keeps the old behaviour behind a flag for one release.\nSee the runbook for the migration.',
  ];
  const commits = [];
  for (let i = 0; i < COMMITS; i++) {
    const [type, subjects] = featAt.has(i) ? ['feat(api)', ['return calibrated churn probabilities', 'add batch prediction endpoint']] : pick(kinds);
    const message = `${type}: ${pick(subjects)} (#${1000 + i})${pick(bodies)}`;
    commits.push({
      id: sha(i + 1),
      tree_id: sha(900000 + i),
      distinct: true,
      message,
      timestamp: new Date(Date.UTC(2026, 2, 2, 10, 0, i)).toISOString(),
      url: `https://github.com/acme-ml/churn-model-api/commit/${sha(i + 1)}`,
      author: { name: 'Maria Lopez', email: 'maria.lopez@acme-ml.example', username: 'maria-lopez' },
      committer: { name: 'Maria Lopez', email: 'maria.lopez@acme-ml.example', username: 'maria-lopez' },
      added: [],
      removed: [],
      modified: ['api/predict.py'],
    });
  }
  const event = JSON.parse(readFileSync(join(root, 'test', 'fixtures', 'events', 'push.json'), 'utf8'));
  return { ...event, before: sha(0xfffff), after: sha(COMMITS), commits, head_commit: commits.at(-1) };
}

const work = mkdtempSync(join(tmpdir(), 'mrg-bench-trigger-'));
const eventPath = join(work, 'event.json');
writeFileSync(eventPath, JSON.stringify(pushPayload()));

// A clean runner-like environment: nothing from the caller's GITHUB_* / INPUT_* leaks in.
const baseEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(GITHUB_|INPUT_|STATE_|RUNNER_|AWS_)/.test(k)));

function timeBundle() {
  for (const f of ['output', 'state', 'summary.md']) writeFileSync(join(work, f), '');
  const env = {
    ...baseEnv,
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: 'push',
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_OUTPUT: join(work, 'output'),
    GITHUB_STATE: join(work, 'state'),
    GITHUB_STEP_SUMMARY: join(work, 'summary.md'),
    GITHUB_REPOSITORY: 'acme-ml/churn-model-api',
    GITHUB_SHA: sha(COMMITS),
    GITHUB_REF: 'refs/heads/main',
    GITHUB_WORKSPACE: work,
    GITHUB_API_URL: 'http://127.0.0.1:9', // the payload is complete: any API call would fail the run
    RUNNER_TEMP: work,
    INPUT_COMMAND: 'release',
    'INPUT_GITHUB-TOKEN': 'ghs_bench_token',
    INPUT_FORCE: 'false',
  };
  const start = performance.now();
  const child = spawnSync(process.execPath, [bundle], { cwd: work, env, encoding: 'utf8' });
  const ms = performance.now() - start;
  const output = readFileSync(join(work, 'output'), 'utf8');
  // A fast wrong answer is not a result: check the decision every time.
  if (child.status !== 0 || !/^release<<.*\ntrue\n/m.test(output) || !/^bump<<.*\nminor\n/m.test(output) || !output.includes('5 of 2000 commits')) {
    throw new Error(`dist/main.js did not decide the benchmark push as expected (exit ${child.status}):\n${child.stdout}\n${child.stderr}\n${output}`);
  }
  return ms;
}

function timeBaseline() {
  const start = performance.now();
  const child = spawnSync(process.execPath, ['-e', ''], { env: baseEnv });
  const ms = performance.now() - start;
  if (child.status !== 0) throw new Error('node -e "" failed');
  return ms;
}

const stats = (samples) => {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  const round = (ms) => Number(ms.toFixed(1));
  return { median: round(median), min: round(sorted[0]), max: round(sorted.at(-1)), samples: samples.map(round) };
};

// One untimed warm-up of each fills the page cache, as a runner's second step would find it.
timeBundle();
timeBaseline();
const bundleMs = [];
const baselineMs = [];
for (let i = 0; i < RUNS; i++) {
  // Interleaved, alternating which goes first, so drifting load hits both alike.
  if (i % 2 === 0) {
    bundleMs.push(timeBundle());
    baselineMs.push(timeBaseline());
  } else {
    baselineMs.push(timeBaseline());
    bundleMs.push(timeBundle());
  }
}
rmSync(work, { recursive: true, force: true });

const bundleStats = stats(bundleMs);
const baselineStats = stats(baselineMs);
const ratio = bundleStats.median / baselineStats.median;
const command = 'npm exec -- node bench/trigger/run.mjs' + (RUNS === 11 ? '' : ` --runs ${RUNS}`);
let commit = 'unknown';
try {
  commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
} catch {
  // not a git checkout
}
const machine = {
  nproc: availableParallelism(),
  cpu: cpus()[0]?.model ?? 'unknown',
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  loadavg1m: Number(loadavg()[0].toFixed(2)),
  node: process.version,
  platform: `${process.platform}-${process.arch}`,
};
const result = {
  benchmark: 'trigger: dist/main.js on a 2,000-commit push (command: release, no config)',
  command,
  date: new Date().toISOString(),
  commit,
  bundleBytes: statSync(bundle).size,
  commits: COMMITS,
  runs: RUNS,
  machine,
  bundle: bundleStats,
  baseline: baselineStats,
  medianRatio: Number(ratio.toFixed(2)),
  medianOverheadMs: Number((bundleStats.median - baselineStats.median).toFixed(1)),
  targetMedianMs: TARGET_MEDIAN_MS,
  meetsTarget: bundleStats.median < TARGET_MEDIAN_MS,
};

const f = (ms) => `${ms.toFixed(1)} ms`;
const md = `# Benchmark: trigger on a 2,000-commit push

\`dist/main.js\` run as a GitHub runner runs it (INPUT_* variables, event payload file,
GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files), \`command: release\` with no config file, so the
trigger decides and nothing is deployed. The payload has ${COMMITS} commits (5 \`feat(api)\`,
the rest chore/docs/fix(ui)/test/refactor/ci, many with multi-line bodies); every run is
checked to output \`release=true\`, \`bump=minor\`. The baseline is \`node -e ""\`, timed in the
same run, interleaved, to show what process start alone costs on this machine.

- Command: \`${command}\` (from the repository root, after \`npm run bundle\`)
- Date: ${result.date}
- Commit: ${commit} (working tree may include uncommitted changes)
- Machine: ${machine.nproc} CPUs (${machine.cpu}), ${machine.memoryGiB} GiB, ${machine.platform}, load ${machine.loadavg1m} at the end
- Node: ${machine.node}
- Bundle: dist/main.js, ${(result.bundleBytes / 1e6).toFixed(2)} MB
- Runs: ${RUNS} each, after one untimed warm-up each

| Process | Median | Min | Max |
| --- | ---: | ---: | ---: |
| \`node dist/main.js\` (2,000 commits) | ${f(bundleStats.median)} | ${f(bundleStats.min)} | ${f(bundleStats.max)} |
| \`node -e ""\` (baseline) | ${f(baselineStats.median)} | ${f(baselineStats.min)} | ${f(baselineStats.max)} |

- Median ratio bundle / baseline: **${ratio.toFixed(2)}×**; median overhead over a bare Node start: **${f(result.medianOverheadMs)}**
- Target: median under ${TARGET_MEDIAN_MS} ms: **${result.meetsTarget ? 'met' : 'NOT met'}**

Samples (ms), in run order:
- bundle: ${bundleMs.map((ms) => ms.toFixed(1)).join(', ')}
- baseline: ${baselineMs.map((ms) => ms.toFixed(1)).join(', ')}
`;
writeFileSync(join(here, 'results.md'), md);
writeFileSync(join(here, 'results.json'), `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(md);
console.error(`wrote ${relative(root, join(here, 'results.md'))} and results.json`);
process.exitCode = result.meetsTarget ? 0 : 1;
