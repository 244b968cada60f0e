/**
 * bench/model: the paired bootstrap (1000 resamples, 1 000 000 predictions) in TypeScript
 * against an equivalent numpy implementation (Debian python3-numpy), in the same run, on the
 * same data. Writes bench/model/results.json and results.md.
 *
 *   npx tsx bench/model/run.ts [--rows 1000000] [--resamples 1000]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { pairedBootstrap, percentileInterval, quantileMonteCarloError } from '../../src/model/stats/bootstrap.js';
import type { KnownMetric } from '../../src/model/stats/metrics.js';
import { SeededRandom } from '../../src/model/stats/random.js';

const argument = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
};
const ROWS = argument('rows', 1_000_000);
const RESAMPLES = argument('resamples', 1000);
const SEED = 7;
const ALPHA = 0.05;
const PYTHON = '/usr/bin/python3';

/** A scored hold-out set: 30% positives, two correlated models, scores rounded to 1e-6 (ties as in real files). */
function generate(rows: number) {
  const random = new SeededRandom(2026);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - random.nextFloat())) * Math.cos(2 * Math.PI * random.nextFloat());
  const label = new Float64Array(rows);
  const candidate = new Float64Array(rows);
  const production = new Float64Array(rows);
  const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
  for (let i = 0; i < rows; i++) {
    const signal = gauss();
    label[i] = random.nextFloat() < sigmoid(1.6 * signal - 1) ? 1 : 0;
    production[i] = Math.round(sigmoid(1.2 * signal + 0.9 * gauss() - 1) * 1e6) / 1e6;
    candidate[i] = Math.round(sigmoid(1.25 * signal + 0.85 * gauss() - 1) * 1e6) / 1e6;
  }
  return { label, candidate, production };
}

const dir = mkdtempSync(join(tmpdir(), 'mrg-bench-model-'));
const data = generate(ROWS);
for (const [name, values] of Object.entries(data)) writeFileSync(join(dir, `${name}.f64`), Buffer.from(values.buffer));

interface Row {
  metric: KnownMetric;
  implementation: 'typescript' | 'numpy';
  seconds: number;
  lower: number;
  upper: number;
  standardError: number;
  memoryMb: number;
}
const rows: Row[] = [];
try {
  for (const metric of ['accuracy', 'auc'] as const) {
    global.gc?.();
    const before = process.memoryUsage();
    const started = performance.now();
    const result = pairedBootstrap(metric, { ...data, threshold: 0.5 }, { resamples: RESAMPLES, seed: SEED });
    const seconds = (performance.now() - started) / 1000;
    const after = process.memoryUsage();
    const [lower, upper] = percentileInterval(result.differences, ALPHA);
    rows.push({
      metric,
      implementation: 'typescript',
      seconds,
      lower,
      upper,
      standardError: result.standardError,
      // What the bootstrap itself kept: typed arrays live in arrayBuffers.
      memoryMb: Math.max(0, after.arrayBuffers - before.arrayBuffers + after.heapUsed - before.heapUsed) / 2 ** 20,
    });
    const py = JSON.parse(execFileSync(PYTHON, [join(import.meta.dirname, 'bootstrap_numpy.py'), dir, metric, String(RESAMPLES), String(SEED)], { encoding: 'utf8' })) as {
      seconds: number;
      lower: number;
      upper: number;
      standardError: number;
      maxRssMb: number;
    };
    rows.push({ metric, implementation: 'numpy', seconds: py.seconds, lower: py.lower, upper: py.upper, standardError: py.standardError, memoryMb: py.maxRssMb });
    process.stdout.write(`${metric}: typescript ${seconds.toFixed(2)} s, numpy ${py.seconds.toFixed(2)} s\n`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const numpyVersion = execFileSync(PYTHON, ['-c', 'import numpy; print(numpy.__version__)'], { encoding: 'utf8' }).trim();
const machine = `${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${process.platform} ${process.arch}`;
const results = {
  command: `npx tsx bench/model/run.ts --rows ${ROWS} --resamples ${RESAMPLES}`,
  date: new Date().toISOString(),
  machine,
  node: process.version,
  numpy: numpyVersion,
  rows: ROWS,
  resamples: RESAMPLES,
  alpha: ALPHA,
  results: rows,
};
writeFileSync(join(import.meta.dirname, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);

const table = rows
  .map((r) => `| ${r.metric} | ${r.implementation} | ${r.seconds.toFixed(2)} | ${r.lower.toFixed(5)} | ${r.upper.toFixed(5)} | ${r.standardError.toExponential(3)} | ${r.memoryMb.toFixed(0)} |`)
  .join('\n');
const agreement = (['accuracy', 'auc'] as const)
  .map((m) => {
    const [t, n] = [rows.find((r) => r.metric === m && r.implementation === 'typescript')!, rows.find((r) => r.metric === m && r.implementation === 'numpy')!];
    const mc = Math.SQRT2 * quantileMonteCarloError(n.standardError, ALPHA, RESAMPLES);
    return `- ${m}: speed-up ×${(n.seconds / t.seconds).toFixed(2)}; lower bounds differ by ${Math.abs(t.lower - n.lower).toExponential(2)} (Monte Carlo SE of that difference ≈ ${mc.toExponential(2)}).`;
  })
  .join('\n');
writeFileSync(
  join(import.meta.dirname, 'results.md'),
  `# bench/model: paired bootstrap, TypeScript vs numpy

Command: \`${results.command}\` (${results.date})
Machine: ${machine}; Node ${process.version}; numpy ${numpyVersion} (Debian python3-numpy).

Both sides run the same algorithm on the same ${ROWS.toLocaleString('en')} rows with ${RESAMPLES} resamples:
accuracy resamples the per-row correctness difference; AUC draws a count vector per resample and
sweeps each model's pre-sorted scores (the Mann–Whitney AUC with ties ½). Different PRNGs, so the
bounds agree within Monte Carlo error, not digit for digit.

| metric | implementation | seconds | 5% bound | 95% bound | bootstrap SE | memory MB |
|---|---|---|---|---|---|---|
${table}

${agreement}

Memory: TypeScript = growth of the JS heap + typed arrays during the bootstrap (the per-row
arrays it builds, plus one Float64Array of ${RESAMPLES} differences: no resample matrix, memory is O(rows + resamples));
numpy = peak RSS of the whole Python process (including its three input columns, ${((3 * 8 * ROWS) / 2 ** 20).toFixed(0)} MB).
`,
);
process.stdout.write(`wrote bench/model/results.json and results.md\n`);
