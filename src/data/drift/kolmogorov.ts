/**
 * The limiting Kolmogorov distribution (scipy's `kstwobign`): the law of sqrt(n)·D_n as n → ∞,
 * and of sqrt(n·m / (n + m))·D for the two-sample statistic (Smirnov 1948).
 *
 * Hand-written because none of the installed packages provides it (@stdlib ships only the
 * normal, chi-square, t, binomial, gamma and degenerate distributions here; @stdlib/stats-kstest
 * is the one-sample test and is not a dependency). Both series are textbook (Kolmogorov 1933;
 * e.g. Marsaglia, Tsang & Wang 2003, J. Stat. Softw. 8(18), eq. (1)) and each is used where it
 * converges in a handful of terms:
 *
 *   x ≥ 1.18:  Q(x) = 2 Σ_{k≥1} (−1)^(k−1) exp(−2 k² x²)                   (survival, alternating)
 *   x < 1.18:  K(x) = (√(2π) / x) Σ_{k≥1} exp(−(2k−1)² π² / (8 x²)),  Q = 1 − K   (Jacobi theta form)
 *
 * At the switch point the first series' 4th term is e^(−2·16·1.18²) ≈ 4e−20 and the second's 3rd
 * term is e^(−25π²/(8·1.18²)) ≈ 2e−10 relative, so a few terms give double precision
 * (tested against scipy.stats.kstwobign.sf to 1e−12 in test/unit/drift/kolmogorov.test.ts).
 */

const SWITCH = 1.18;
const MAX_TERMS = 100;

/** P(K > x) for the limiting Kolmogorov distribution K; 1 for x ≤ 0. */
export function kolmogorovSurvival(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x <= 0) return 1;
  if (x >= SWITCH) {
    let sum = 0;
    for (let k = 1; k <= MAX_TERMS; k++) {
      const term = Math.exp(-2 * k * k * x * x);
      sum += k % 2 === 1 ? term : -term;
      if (term < 1e-300 || term < Math.abs(sum) * 1e-17) break;
    }
    return clamp01(2 * sum);
  }
  const w = (Math.PI * Math.PI) / (8 * x * x);
  let sum = 0;
  for (let k = 1; k <= MAX_TERMS; k++) {
    const j = 2 * k - 1;
    const term = Math.exp(-j * j * w);
    sum += term;
    if (term === 0 || term < sum * 1e-17) break;
  }
  return clamp01(1 - (Math.sqrt(2 * Math.PI) / x) * sum);
}

function clamp01(v: number): number {
  return Math.min(1, Math.max(0, v));
}
