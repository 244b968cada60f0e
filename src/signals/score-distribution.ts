/**
 * Output drift: does the canary answer with scores distributed like stable's? A model that
 * answers HTTP 200 with a constant score, or with scores squeezed into a corner, looks healthy
 * to every error and latency metric; only the distribution of what it says gives it away.
 *
 * The method is the one the data gate uses for a numeric column (src/data/drift): bins cut at
 * the stable version's quantiles (deciles by default), the canary's and stable's counts per bin,
 * and two numbers on that 2 × K table:
 *  - PSI, the effect size: how different the two distributions are (0 for the same shares;
 *    0.2 is the credit-scoring rule of thumb for a significant shift, as in the data gate);
 *  - Pearson's chi-square test of homogeneity (no Yates), the evidence: how unlikely such a
 *    table is if both versions drew from the same distribution.
 * A step fails only when both say so: PSI ≥ max-psi AND p < 0.001. The effect size alone would
 * fail healthy canaries on a few dozen scores (PSI's sampling noise is about (K − 1)(1/n + 1/m));
 * the test alone would fail a retrained model whose scores moved a little, on enough traffic.
 * 0.001 per look keeps even 50 looks (a poll every 15 s for 12 minutes) under 5% by Bonferroni,
 * and the looks share most of their data, so the real rate is far lower.
 *
 * The same function judges both sources: CloudWatch counts of an EMF score metric per bin
 * (rollout.metrics, judge distribution: src/signals/metrics.ts) and the scores in the responses
 * of the pre-traffic requests sent to both versions (pretraffic.output-drift).
 */
import { chiSquareHomogeneity } from '../data/drift/chi2.js';
import { formatNumber, total } from '../data/drift/counts.js';
import { populationStabilityIndex } from '../data/drift/psi.js';
import { nearestRank } from '../pretraffic/latency.js';

export const OUTPUT_DRIFT_DEFAULTS = { bins: 10, maxPsi: 0.2, minSamples: 100 } as const;

/** The chi-square p-value under which a large PSI is taken as evidence, at each look. */
export const OUTPUT_DRIFT_P = 0.001;

/** Fewest samples of the canary per bin, on average, before a fail is trusted (Cochran's rule of 5 expected per cell). */
const MIN_PER_BIN = 5;

/** CloudWatch takes statistic bounds with at most 10 decimal places. */
const BOUND_DECIMALS = 10;

export interface DistributionOptions {
  maxPsi: number;
  minSamples: number;
  /** Whether a pass needs min-samples (the decisive step); earlier, too few samples pass with a note. */
  requireEvidence: boolean;
}

export interface DistributionComparison {
  verdict: 'pass' | 'fail' | 'continue';
  /** One sentence, numbers included; the caller prefixes what was compared. */
  reason: string;
  psi: number | null;
  pValue: number | null;
  canaryCounts: number[];
  stableCounts: number[];
  edges: number[];
}

/** The percentile levels (0..100, exclusive) that cut `bins` bins of equal share: 10 → 10, 20, ..., 90. */
export function percentileLevels(bins: number): number[] {
  return Array.from({ length: bins - 1 }, (_, i) => Number((((i + 1) * 100) / bins).toFixed(2)));
}

/** A CloudWatch percentile statistic for a level: 10 → p10, 33.33 → p33.33. */
export function percentileStat(level: number): string {
  return `p${level}`;
}

/** A bound as CloudWatch takes it: plain decimal, at most 10 decimal places, no exponent. */
export function formatBound(x: number): string {
  const text = x.toFixed(BOUND_DECIMALS).replace(/\.?0+$/, '');
  return text === '-0' ? '0' : text;
}

/**
 * Bin edges from the stable version's quantiles: finite, rounded as CloudWatch will read them,
 * ascending and distinct (a stable version with few distinct scores gives fewer bins).
 */
export function binEdges(quantiles: readonly number[]): number[] {
  const rounded = quantiles.filter((q) => Number.isFinite(q)).map((q) => Number(formatBound(q)));
  return [...new Set(rounded)].sort((a, b) => a - b);
}

/** The `TC` statistic that counts bin `i` of `edges` (edges.length + 1 bins): lower bound exclusive, upper inclusive. */
export function trimmedCountStat(edges: readonly number[], i: number): string {
  const low = i === 0 ? '' : formatBound(edges[i - 1] as number);
  const high = i === edges.length ? '' : formatBound(edges[i] as number);
  return `TC(${low}:${high})`;
}

/** Counts of `values` per bin, with CloudWatch's TC semantics (edge < x ≤ next edge). Non-finite values are not counted. */
export function countInBins(values: readonly number[], edges: readonly number[]): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (const x of values) {
    if (!Number.isFinite(x)) continue;
    let lo = 0;
    let hi = edges.length;
    // First edge ≥ x: x belongs to the bin that edge closes.
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((edges[mid] as number) >= x) hi = mid;
      else lo = mid + 1;
    }
    counts[lo] = (counts[lo] as number) + 1;
  }
  return counts;
}

/**
 * Bin edges cut at the quantiles of raw values (`bins` bins of equal share), each quantile by
 * nearest rank, the rule CloudWatch's percentiles follow: what the rollout reads from CloudWatch,
 * computed from the values themselves (pre-traffic answers).
 */
export function quantileEdges(values: readonly number[], bins: number): number[] {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  return binEdges(percentileLevels(bins).map((level) => nearestRank(sorted, level / 100)));
}

/** Judges the canary's counts against stable's over the same bins (see the module comment). */
export function compareScoreDistributions(
  canaryCounts: readonly number[],
  stableCounts: readonly number[],
  edges: readonly number[],
  names: { canary: string; stable: string },
  options: DistributionOptions,
): DistributionComparison {
  const n = total(canaryCounts);
  const m = total(stableCounts);
  const base = { canaryCounts: [...canaryCounts], stableCounts: [...stableCounts], edges: [...edges] };
  const bins = canaryCounts.length;
  const sizes = `${n} score${n === 1 ? '' : 's'} of version ${names.canary}, ${m} of version ${names.stable}`;
  if (n === 0 || m === 0) {
    const none = n === 0 ? `no score of version ${names.canary}` : `no score of version ${names.stable} to compare with`;
    return { ...base, verdict: 'continue', psi: null, pValue: null, reason: `${none} yet; no data is never a pass.` };
  }
  const psi = populationStabilityIndex(canaryCounts, stableCounts);
  const test = chiSquareHomogeneity(canaryCounts, stableCounts);
  const pText = test.pValue < OUTPUT_DRIFT_P ? `p < ${OUTPUT_DRIFT_P}` : `p ${formatNumber(test.pValue)}`;
  const numbers = `PSI ${formatNumber(psi)} (max ${options.maxPsi}), chi² ${pText}, over ${bins} bins cut at version ${names.stable}'s quantiles; ${sizes}`;
  const enoughToFail = n >= MIN_PER_BIN * bins;
  if (enoughToFail && psi >= options.maxPsi && test.pValue < OUTPUT_DRIFT_P) {
    return { ...base, verdict: 'fail', psi, pValue: test.pValue, reason: `scores of version ${names.canary} are distributed unlike version ${names.stable}'s: ${numbers}.${concentration(canaryCounts, stableCounts, edges, names.stable)}` };
  }
  if (n < options.minSamples) {
    const short = `${n} of the ${options.minSamples} scores of version ${names.canary} needed to pass`;
    if (options.requireEvidence) return { ...base, verdict: 'continue', psi, pValue: test.pValue, reason: `only ${short} (${numbers}); no data is never a pass.` };
    return { ...base, verdict: 'pass', psi, pValue: test.pValue, reason: `no sign of a different distribution yet, on ${short} (${numbers}).` };
  }
  return { ...base, verdict: 'pass', psi, pValue: test.pValue, reason: `scores of version ${names.canary} are distributed like version ${names.stable}'s: ${numbers}.` };
}

/** " All of its scores fall in one bin (0.4 < score ≤ 0.5), which holds 10% of version 4's: a constant or stuck output?" when the table shows that. */
function concentration(canaryCounts: readonly number[], stableCounts: readonly number[], edges: readonly number[], stableName: string): string {
  const n = total(canaryCounts);
  const top = canaryCounts.reduce((best, c, i) => (c > (canaryCounts[best] as number) ? i : best), 0);
  const share = (canaryCounts[top] as number) / n;
  const stableSpread = stableCounts.filter((c) => c > 0).length;
  if (share < 0.9 || stableSpread < 3) return '';
  const low = top === 0 ? undefined : edges[top - 1];
  const high = top === edges.length ? undefined : edges[top];
  const range = low === undefined ? `score ≤ ${high}` : high === undefined ? `score > ${low}` : `${low} < score ≤ ${high}`;
  const stableShare = (stableCounts[top] as number) / total(stableCounts);
  return ` ${share === 1 ? 'All' : `${Math.round(share * 100)}%`} of its scores fall in one bin (${range}), which holds ${Math.round(stableShare * 100)}% of version ${stableName}'s: a constant or stuck output?`;
}
