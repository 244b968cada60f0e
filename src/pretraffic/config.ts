/**
 * The `pretraffic:` section: invoke the new version directly, before any traffic shifts, with
 * a file of request payloads; judge function errors, response assertions and latency.
 */
import type { ConfigIssue } from '../config/issues.js';
import type { SourceLocation } from '../report/result.js';
import type { ProxyMode } from './proxy.js';
import { OUTPUT_DRIFT_DEFAULTS } from '../signals/score-distribution.js';

export const PRETRAFFIC_DEFAULTS = { concurrency: 4, proxy: 'auto' } as const satisfies { concurrency: number; proxy: ProxyMode };

export interface LatencyBudget {
  p50Ms?: number;
  p95Ms?: number;
  p99Ms?: number;
}

export interface PretrafficConfig {
  file?: string;
  /** JSONL of `{"name"?, "payload", "expect"?}` lines. */
  payloadsPath: string;
  /** Total candidate invocations (payloads cycled); every payload is sent at least once. */
  requests?: number;
  concurrency: number;
  latency: LatencyBudget;
  /** Invoke production side by side with the same payloads and compare p99. */
  compareProduction: boolean;
  /** Candidate p99 may be at most (1 + this) × production p99. */
  maxSlowdown?: number;
  /** Compare the number at `field` in the candidate's answers with production's (src/signals/score-distribution.ts). */
  outputDrift?: { field: string; maxPsi: number; bins: number };
  /** JSON Schema file every response must satisfy (the decoded body of a proxy response). */
  responseSchemaPath?: string;
  /** Read responses as API Gateway / function URL proxy responses: detect (auto), always, never. */
  proxy: ProxyMode;
  location?: SourceLocation;
  /** Where each key sits in the file, for messages. */
  locations: Partial<Record<'payloads' | 'latency' | 'max-slowdown' | 'response-schema' | 'output-drift', SourceLocation>>;
}

export interface RawPretraffic {
  payloads: string;
  requests?: number;
  concurrency?: number;
  latency?: { 'p50-ms'?: number; 'p95-ms'?: number; 'p99-ms'?: number };
  'compare-production'?: boolean;
  'max-slowdown'?: number;
  'output-drift'?: { field: string; 'max-psi'?: number; bins?: number };
  'response-schema'?: string;
  proxy?: ProxyMode;
}

export function buildPretrafficConfig(
  raw: RawPretraffic,
  context: { file?: string; locate: (path: string[]) => SourceLocation | undefined },
  issues: ConfigIssue[],
): PretrafficConfig {
  const latency: LatencyBudget = {};
  if (raw.latency?.['p50-ms'] !== undefined) latency.p50Ms = raw.latency['p50-ms'];
  if (raw.latency?.['p95-ms'] !== undefined) latency.p95Ms = raw.latency['p95-ms'];
  if (raw.latency?.['p99-ms'] !== undefined) latency.p99Ms = raw.latency['p99-ms'];
  const compareProduction = raw['compare-production'] ?? (raw['max-slowdown'] !== undefined || raw['output-drift'] !== undefined);
  for (const key of ['max-slowdown', 'output-drift'] as const) {
    if (raw[key] !== undefined && raw['compare-production'] === false) {
      issues.push({ path: ['pretraffic', key], message: 'needs compare-production: true (it compares the new version with production)' });
    }
  }
  const config: PretrafficConfig = {
    payloadsPath: raw.payloads,
    concurrency: raw.concurrency ?? PRETRAFFIC_DEFAULTS.concurrency,
    latency,
    compareProduction,
    proxy: raw.proxy ?? PRETRAFFIC_DEFAULTS.proxy,
    locations: {},
  };
  if (context.file !== undefined) config.file = context.file;
  if (raw.requests !== undefined) config.requests = raw.requests;
  if (raw['max-slowdown'] !== undefined) config.maxSlowdown = raw['max-slowdown'];
  if (raw['response-schema'] !== undefined) config.responseSchemaPath = raw['response-schema'];
  const drift = raw['output-drift'];
  if (drift !== undefined) config.outputDrift = { field: drift.field, maxPsi: drift['max-psi'] ?? OUTPUT_DRIFT_DEFAULTS.maxPsi, bins: drift.bins ?? OUTPUT_DRIFT_DEFAULTS.bins };
  const section = context.locate(['pretraffic']);
  if (section) config.location = section;
  for (const key of ['payloads', 'latency', 'max-slowdown', 'response-schema', 'output-drift'] as const) {
    const at = context.locate(['pretraffic', key]);
    if (at) config.locations[key] = at;
  }
  return config;
}
