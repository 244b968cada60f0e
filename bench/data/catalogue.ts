/**
 * The full catalogue of bench/data (catalogue-full.json), typed for the TypeScript legs, and the
 * verdict every leg reports per check so report.py can line the legs up: one key per check and
 * column (`missing:num_nullable`, `unique:num_normal`, `drift:cat_5`, …) → passed and the number
 * that decided it.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export type CatalogueCheck =
  | { type: 'row_count'; min?: number; max?: number }
  | { type: 'schema'; required: Record<string, string>; forbidden: string[] }
  | { type: 'missing'; columns: string[]; maxPercent?: number; maxCount?: number }
  | { type: 'range'; columns: string[]; min?: number; max?: number }
  | { type: 'allowed'; columns: string[]; values: Array<string | number | boolean> }
  | { type: 'unique'; columns: string[] }
  | { type: 'unseen_categories'; columns: string[]; minCount: number }
  | { type: 'drift'; columns: 'all'; method: 'auto'; correction: string };

/** One check's outcome on one column (or the table), as every leg prints it under `checks`. */
export interface Verdict {
  passed: boolean;
  observed: number | string;
}

export const CATALOGUE_FILE = resolve(dirname(fileURLToPath(import.meta.url)), 'catalogue-full.json');

export function loadCatalogue(): CatalogueCheck[] {
  return (JSON.parse(readFileSync(CATALOGUE_FILE, 'utf8')) as { checks: CatalogueCheck[] }).checks;
}
