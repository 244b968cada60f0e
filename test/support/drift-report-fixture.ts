/**
 * A realistic, seeded pair of samples for the HTML drift report (its integration test, its
 * browser test and the screenshot in docs/images): a churn model's training set (3,000 rows)
 * against a production sample (800 rows; few enough that the drift check picks the tests, KS and chi-square, with their p-values).
 * - customer_id: all distinct (inferred to be an id, not compared);
 * - age: the same distribution in both (stable);
 * - monthly_spend: production spends about a third more (drifted numeric);
 * - device: production has smart TVs and car displays training never saw, and fewer Android
 *   users (drifted categorical, with unseen categories);
 * - plan: the same mix in both (stable categorical).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SeededRandom } from '../sim/random.js';


function normal(next: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
}

function pick(next: () => number, weights: Record<string, number>): string {
  const total = Object.values(weights).reduce((a, b) => a + b, 0);
  let u = next() * total;
  for (const [value, weight] of Object.entries(weights)) {
    u -= weight;
    if (u < 0) return value;
  }
  return Object.keys(weights)[0] as string;
}

interface Population {
  rows: number;
  firstId: number;
  spendMedian: number;
  devices: Record<string, number>;
}

const PLANS = { free: 55, basic: 30, premium: 15 };

function sample(seed: number, p: Population): string {
  const rng = new SeededRandom(seed);
  const next = () => rng.next();
  const lines = ['customer_id,age,monthly_spend,device,plan'];
  for (let i = 0; i < p.rows; i++) {
    const age = Math.min(90, Math.max(18, Math.round(41 + 12 * normal(next))));
    const spend = Math.round(p.spendMedian * Math.exp(0.45 * normal(next)) * 100) / 100;
    lines.push([p.firstId + i, age, spend, pick(next, p.devices), pick(next, PLANS)].join(','));
  }
  return `${lines.join('\n')}\n`;
}

export const DRIFT_REPORT_CONFIG = [
  'data:',
  '  dataset: train.csv',
  '  reference: production.csv',
  '  checks:',
  '    - drift: { columns: all }',
  '    - unseen_categories: { columns: [device] }',
];

/** Writes train.csv and production.csv into `dir`. */
export function writeDriftReportSamples(dir: string): void {
  writeFileSync(join(dir, 'train.csv'), sample(17, { rows: 3000, firstId: 100_000, spendMedian: 42, devices: { android: 46, ios: 39, web: 15 } }));
  writeFileSync(
    join(dir, 'production.csv'),
    sample(29, { rows: 800, firstId: 500_000, spendMedian: 56, devices: { android: 33, ios: 38, web: 16, 'smart-tv': 8, 'car-display': 5 } }),
  );
}
