/**
 * What the data gate's statements cost on an engine that reports it (Athena bills by bytes
 * scanned): per-pass numbers for the `data.plan` result and one total for its message.
 */
import type { QueryUsage } from './engine/query-runner.js';

export interface UsageTotals {
  statements: number;
  bytesScanned: number;
  /** Present when the engine estimates a cost (Athena). */
  costUsd?: number;
}

/** The sum over every statement, or undefined when the engine reported no bytes at all. */
export function usageTotals(usage: readonly QueryUsage[]): UsageTotals | undefined {
  if (!usage.some((u) => u.bytesScanned !== undefined)) return undefined;
  const costed = usage.some((u) => u.costUsd !== undefined);
  return {
    statements: usage.length,
    bytesScanned: usage.reduce((sum, u) => sum + (u.bytesScanned ?? 0), 0),
    ...(costed ? { costUsd: usage.reduce((sum, u) => sum + (u.costUsd ?? 0), 0) } : {}),
  };
}

/** `7 statements scanned 3.0 GiB (estimated cost $0.0146)`. */
export function describeUsage(totals: UsageTotals): string {
  const cost = totals.costUsd !== undefined ? ` (estimated cost $${totals.costUsd.toFixed(totals.costUsd > 0 && totals.costUsd < 0.01 ? 6 : 4)})` : '';
  return `${totals.statements} statement${totals.statements === 1 ? '' : 's'} scanned ${formatBytes(totals.bytesScanned)}${cost}`;
}

function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}
