/**
 * The configuration as written (kebab-case keys, durations as text) once it has passed the
 * JSON Schema. Mirrors schema/model-release.schema.json; build.ts maps it to GateConfig.
 */
import type { RawDataSection } from './data.js';
import type { RawModel } from '../model/config.js';
import type { RawPretraffic } from '../pretraffic/config.js';

export interface RawStep {
  percent: number;
  duration: string;
}

export interface RawJudge {
  type?: 'threshold' | 'compare';
  window?: string;
  'max-errors'?: number;
  'max-error-rate'?: number;
  'p99-ms'?: number;
  'max-throttles'?: number;
  alpha?: number;
  beta?: number;
  'min-effect'?: { ratio?: number; absolute?: number };
  'p99-tolerance'?: number;
  'final-look-share'?: number;
  dispersion?: 'auto' | number;
}

export interface RawMetricQuery {
  name: string;
  namespace: string;
  metric: string;
  dimensions?: Record<string, string>;
  /** Absent only with judge.distribution (the schema requires it otherwise). */
  stat?: string;
  delay?: string;
  judge?: { max?: number; min?: number; compare?: { calls: string }; distribution?: { 'max-psi'?: number; bins?: number; 'min-samples'?: number } };
}

export interface RawRollout {
  preset?: string;
  strategy?: 'linear' | 'canary' | 'all-at-once' | 'steps' | 'ab';
  step?: number;
  interval?: string;
  percent?: number;
  bake?: string;
  steps?: RawStep[];
  poll?: string;
  'final-bake'?: string;
  shadow?: { percent?: number; duration?: string };
  'metric-delay'?: string;
  'min-invocations'?: number;
  'expected-rpm'?: number;
  'max-extension'?: string;
  'on-inconclusive'?: 'rollback' | 'promote';
  'on-existing-canary'?: 'refuse' | 'rollback';
  watch?: string;
  alarms?: string[];
  'alarms-ignore-initial'?: boolean;
  metrics?: RawMetricQuery[];
  judge?: RawJudge;
}

export interface RawTarget {
  type?: 'lambda' | 'sagemaker';
  /** Lambda only (the schema requires them there). */
  'function-name'?: string;
  alias?: string;
  /** SageMaker only. */
  'endpoint-name'?: string;
  model?: { image: string; 'model-data'?: string; 'execution-role': string; environment?: Record<string, string> };
  instances?: 'match' | 'auto' | number;
  'model-name-prefix'?: string;
  region?: string;
  publish?: boolean;
  version?: string | number;
  code?: { zip?: string; s3?: { bucket: string; key: string; version?: string }; image?: string };
  configuration?: { memory?: number; timeout?: number; environment?: Record<string, string> };
}

export interface RawRelease {
  tag?: boolean;
  notes?: boolean;
  'tag-pattern'?: string;
  'initial-version'?: string;
}

export interface RawWebhook {
  url: string;
  format?: 'json' | 'slack';
  events?: Array<'start' | 'step' | 'rollback' | 'promotion' | 'finish'>;
  timeout?: string;
  retries?: number;
  headers?: Record<string, string>;
}

export interface RawNotify {
  webhooks?: RawWebhook[];
  'confirm-promotion'?: { url: string; timeout?: string; headers?: Record<string, string> };
}

export interface RawConfig {
  trigger?: { types?: string[]; scopes?: string[] };
  target?: RawTarget;
  rollout?: RawRollout;
  release?: RawRelease;
  report?: { json?: string; junit?: string; dotenv?: string; verbose?: boolean; chart?: string; html?: string };
  'dry-run'?: boolean;
  data?: RawDataSection;
  model?: RawModel;
  pretraffic?: RawPretraffic;
  notify?: RawNotify;
}
