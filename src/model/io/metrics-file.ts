/**
 * Training metrics files (the candidate's, and production's as a baseline):
 *   { "metrics": { "auc": 0.91, ... },
 *     "folds": { "auc": [0.90, 0.92, 0.91] },               // per fold or per day
 *     "learning_curves": { "train_loss": [...], "val_loss": [...] } }   // per epoch
 * Every part is optional; the checks that need a part say so when it is missing.
 */
import { readFileSync } from 'node:fs';

export interface MetricsFile {
  path: string;
  metrics: Record<string, number>;
  folds: Record<string, number[]>;
  curves: { trainLoss?: number[]; valLoss?: number[] };
}

export class MetricsFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MetricsFileError';
  }
}

const isNumberArray = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x));

export function readMetricsFile(path: string): MetricsFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new MetricsFileError(code === 'ENOENT' ? `metrics file not found: ${path}` : `cannot read ${path}: ${(error as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new MetricsFileError(`${path} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new MetricsFileError(`${path} must hold a JSON object with "metrics", "folds" and/or "learning_curves"`);
  const root = data as Record<string, unknown>;
  const result: MetricsFile = { path, metrics: {}, folds: {}, curves: {} };
  const section = (key: string): Record<string, unknown> => {
    const value = root[key];
    if (value === undefined) return {};
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new MetricsFileError(`${path}: "${key}" must be an object`);
    return value as Record<string, unknown>;
  };
  for (const [name, value] of Object.entries(section('metrics'))) {
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new MetricsFileError(`${path}: metrics.${name} must be a number`);
    result.metrics[name] = value;
  }
  for (const [name, value] of Object.entries(section('folds'))) {
    if (!isNumberArray(value)) throw new MetricsFileError(`${path}: folds.${name} must be a list of numbers`);
    result.folds[name] = value;
  }
  const curves = section('learning_curves');
  for (const [key, field] of [['train_loss', 'trainLoss'], ['val_loss', 'valLoss']] as const) {
    const value = curves[key];
    if (value === undefined) continue;
    if (!isNumberArray(value)) throw new MetricsFileError(`${path}: learning_curves.${key} must be a list of numbers`);
    result.curves[field] = value;
  }
  return result;
}
