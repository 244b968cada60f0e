/** The committed drift fixtures: raw samples and what scipy / numpy / statsmodels said about them. */
import { readFileSync } from 'node:fs';

interface Chi2Expected {
  statistic: number;
  pValue: number;
  dof: number;
}

export interface NumericExpected {
  kind: 'numeric';
  n: number;
  m: number;
  binCuts: number[];
  datasetBinCounts: number[];
  referenceBinCounts: number[];
  referenceStd: number;
  ks: { statistic: number; pValueKstwobign: number; pValueScipyAsymp: number; pValueScipyExact: number };
  psi: number;
  jensenShannon: number;
  chi2Bins: Chi2Expected;
  wasserstein: { w1: number; normalised: number };
}

export interface CategoricalExpected {
  kind: 'categorical';
  n: number;
  m: number;
  categories: string[];
  datasetCounts: number[];
  referenceCounts: number[];
  psi: number;
  jensenShannon: number;
  chi2: Chi2Expected;
}

export interface Expected {
  cases: Record<string, NumericExpected | CategoricalExpected>;
  kolmogorov: { x: number; sf: number }[];
  corrections: Record<string, { pValues: number[]; holm: number[]; bh: number[] }>;
}

export type Sample = { kind: 'numeric'; dataset: number[]; reference: number[] } | { kind: 'categorical'; dataset: string[]; reference: string[] };

const dir = new URL('../../fixtures/drift/', import.meta.url);
export const expected = JSON.parse(readFileSync(new URL('expected.json', dir), 'utf8')) as Expected;
export const samples = (JSON.parse(readFileSync(new URL('samples.json', dir), 'utf8')) as { cases: Record<string, Sample> }).cases;

export function numericCases(): [string, { dataset: number[]; reference: number[] }, NumericExpected][] {
  return Object.entries(samples).flatMap(([name, s]) => {
    const e = expected.cases[name];
    return s.kind === 'numeric' && e?.kind === 'numeric' ? [[name, s, e] as [string, { dataset: number[]; reference: number[] }, NumericExpected]] : [];
  });
}

export function categoricalCases(): [string, { dataset: string[]; reference: string[] }, CategoricalExpected][] {
  return Object.entries(samples).flatMap(([name, s]) => {
    const e = expected.cases[name];
    return s.kind === 'categorical' && e?.kind === 'categorical'
      ? [[name, s, e] as [string, { dataset: string[]; reference: string[] }, CategoricalExpected]]
      : [];
  });
}

/** |actual − expected| ≤ abs + rel·|expected|. */
export function expectClose(actual: number, wanted: number, rel: number, abs = 0): void {
  const tolerance = abs + rel * Math.abs(wanted);
  if (!(Math.abs(actual - wanted) <= tolerance)) {
    throw new Error(`expected ${actual} to be within ${tolerance} of ${wanted}`);
  }
}
