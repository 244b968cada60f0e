/**
 * Writes the demo's small datasets (committed next to this file; re-run with
 * `npx tsx demo/data/make-data.ts` to regenerate them identically):
 *   train.csv         3,000 training rows
 *   prod-sample.csv     600 rows of recent production traffic, distributed like training
 *   prod-drifted.csv    600 rows where production has moved on: older customers, higher
 *                       incomes, and plan and country values training never saw
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** mulberry32: small, seeded, good enough for demo data. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(rand: () => number, mean: number, sd: number): number {
  const u = 1 - rand();
  const v = rand();
  return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

function pick<T>(rand: () => number, values: Array<[T, number]>): T {
  let r = rand();
  for (const [value, p] of values) {
    if ((r -= p) < 0) return value;
  }
  return values[values.length - 1]![0];
}

interface Shape {
  ageMean: number;
  incomeScale: number;
  plans: Array<[string, number]>;
  countries: Array<[string, number]>;
}

const TRAINING: Shape = {
  ageMean: 41,
  incomeScale: 1,
  plans: [['free', 0.55], ['pro', 0.35], ['vip', 0.1]],
  countries: [['FR', 0.4], ['DE', 0.35], ['ES', 0.25]],
};
const DRIFTED: Shape = {
  ageMean: 53,
  incomeScale: 1.35,
  plans: [['free', 0.4], ['pro', 0.35], ['vip', 0.1], ['enterprise', 0.15]],
  countries: [['FR', 0.3], ['DE', 0.3], ['ES', 0.2], ['IT', 0.2]],
};

function rows(seed: number, count: number, firstId: number, shape: Shape): string {
  const rand = random(seed);
  const lines = ['customer_id,age,income,tenure_months,plan,country,churned'];
  for (let i = 0; i < count; i++) {
    const age = Math.min(95, Math.max(18, Math.round(normal(rand, shape.ageMean, 12))));
    // About 1% of incomes are missing, as in the real extract.
    const income = rand() < 0.01 ? '' : String(Math.round(Math.exp(normal(rand, 10.4, 0.45)) * shape.incomeScale));
    const tenure = Math.floor(rand() * 72);
    const plan = pick(rand, shape.plans);
    const country = pick(rand, shape.countries);
    const churned = rand() < (plan === 'free' ? 0.22 : 0.09) ? 1 : 0;
    lines.push(`${firstId + i},${age},${income},${tenure},${plan},${country},${churned}`);
  }
  return `${lines.join('\n')}\n`;
}

const here = import.meta.dirname;
writeFileSync(join(here, 'train.csv'), rows(1, 3000, 100000, TRAINING));
writeFileSync(join(here, 'prod-sample.csv'), rows(2, 600, 200000, TRAINING));
writeFileSync(join(here, 'prod-drifted.csv'), rows(3, 600, 300000, DRIFTED));
console.log(`wrote train.csv, prod-sample.csv, prod-drifted.csv in ${here}`);
