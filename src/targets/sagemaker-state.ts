/**
 * How a SageMaker real-time endpoint maps onto the rollout engine's alias model. Pure.
 *
 * - A "version" is a SageMaker Model name. The variant that serves a model the gate adds is
 *   named after it, so a version maps to a variant on the endpoint and back; a variant the user
 *   created (e.g. `AllTraffic`) is known by the model it serves.
 * - The primary version (the stable one) is the model of the FIRST production variant of the
 *   endpoint's current endpoint config. Every config the gate writes lists the serving variant
 *   first, so at the final bake (stable at weight 0, candidate at weight 1) the stable version is
 *   still known, as a Lambda alias's primary version is.
 * - Additional weights are the other variants' shares (weight / sum of weights), zero-weight
 *   variants left out. While an update is in flight the DESIRED weights are reported: a reader
 *   must see where traffic is going (a half-finished shift to the canary is a shift to the canary).
 * - There is no RevisionId: the revision is the endpoint config name, the status and the desired
 *   weights. A write compares it with what was read before it, so anyone else's change (a
 *   console edit, another pipeline's UpdateEndpoint) is detected, never overwritten.
 */
import type { AliasState } from './target.js';

/** One production variant as the endpoint and its config describe it. */
export interface VariantView {
  variantName: string;
  modelName: string;
  /** Weight traffic is routed by now (DescribeEndpoint CurrentWeight). */
  currentWeight: number;
  /** Weight asked for by the latest update (DesiredWeight, else CurrentWeight). */
  desiredWeight: number;
  /** Instances now; undefined for a serverless variant. */
  instanceCount?: number;
}

/** What DescribeEndpoint + DescribeEndpointConfig say about an endpoint, in config order. */
export interface EndpointView {
  endpointName: string;
  endpointArn: string;
  configName: string;
  status: string;
  failureReason?: string;
  variants: VariantView[];
  /** Shadow variants of the current config (mirrored traffic, no answers to clients). */
  shadowVariants: VariantView[];
  /** The alias-like description (the promotion history), from the endpoint's tags. */
  description?: string;
}

/** Statuses in which SageMaker is still applying a change; a write must wait for them to end. */
export const TRANSITIONAL_STATUSES = new Set(['Creating', 'Updating', 'SystemUpdating', 'RollingBack', 'Deleting']);

/** Shares below this are rounding noise of weight arithmetic, not traffic. */
const SHARE_EPSILON = 1e-9;

/** Each variant's share of traffic by its desired weight (weight / sum); all 0 when no variant has weight. */
export function sharesOf(variants: readonly VariantView[], weight: (v: VariantView) => number = (v) => v.desiredWeight): Map<string, number> {
  const total = variants.reduce((sum, v) => sum + Math.max(0, weight(v)), 0);
  return new Map(variants.map((v) => [v.variantName, total > 0 ? Math.max(0, weight(v)) / total : 0]));
}

/** The revision token of a view: config, status and desired weights (rounded so float noise does not count). */
export function revisionOf(view: EndpointView): string {
  const weights = view.variants.map((v) => `${v.variantName}=${round(v.desiredWeight)}`).join(',');
  const shadows = view.shadowVariants.map((v) => `${v.variantName}~${round(v.desiredWeight)}`).join(',');
  return `${view.configName}|${view.status}|${weights}${shadows ? `|${shadows}` : ''}`;
}

function round(value: number): string {
  return String(Math.round(value * 1e6) / 1e6);
}

/** The endpoint as the rollout engine sees an alias; throws when a model is served by two variants. */
export function aliasStateOf(view: EndpointView): AliasState {
  const primary = view.variants[0];
  if (primary === undefined) throw new Error(`SageMaker endpoint '${view.endpointName}' has no production variant in config '${view.configName}'`);
  const models = new Set<string>();
  for (const v of view.variants) {
    if (models.has(v.modelName)) {
      throw new Error(
        `SageMaker endpoint '${view.endpointName}' serves model '${v.modelName}' on two production variants (config '${view.configName}'); the gate tells versions apart by model, so give each variant its own model.`,
      );
    }
    models.add(v.modelName);
  }
  const shares = sharesOf(view.variants);
  const additionalWeights: Record<string, number> = {};
  for (const v of view.variants.slice(1)) {
    const share = shares.get(v.variantName) ?? 0;
    if (share > SHARE_EPSILON) additionalWeights[v.modelName] = share;
  }
  return {
    version: primary.modelName,
    additionalWeights,
    revisionId: revisionOf(view),
    ...(view.description ? { description: view.description } : {}),
  };
}

/** The variant that serves `model` now, if any. */
export function variantOfModel(view: EndpointView, model: string): VariantView | undefined {
  return view.variants.find((v) => v.modelName === model) ?? view.shadowVariants.find((v) => v.modelName === model);
}

/** True when the view's desired shares equal `shares` (variant → share; absent variants must have none). */
export function holdsShares(view: EndpointView, shares: Record<string, number>): boolean {
  const actual = sharesOf(view.variants);
  const names = new Set([...actual.keys(), ...Object.keys(shares)]);
  for (const name of names) {
    if (Math.abs((actual.get(name) ?? 0) - (shares[name] ?? 0)) > 1e-6) return false;
  }
  return true;
}

/** Weights as they read, for messages: `AllTraffic 90%, churn-3f2a 10%`. */
export function describeShares(view: EndpointView): string {
  const shares = sharesOf(view.variants);
  return view.variants.map((v) => `${v.variantName} ${formatShare(shares.get(v.variantName) ?? 0)}`).join(', ');
}

function formatShare(share: number): string {
  return `${Math.round(share * 1000) / 10}%`;
}

/**
 * SageMaker names (models, variants, endpoint configs): 1-63 characters, letters, digits and
 * hyphens, no leading or trailing hyphen. `prefix` is cut so that `prefix-suffix` fits.
 */
export const SAGEMAKER_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
export const SAGEMAKER_NAME_LIMIT = 63;

export function nameWithSuffix(prefix: string, suffix: string): string {
  const room = SAGEMAKER_NAME_LIMIT - suffix.length - 1;
  const head = prefix.replace(/[^a-zA-Z0-9-]/g, '-').slice(0, room).replace(/-+$/, '');
  return head === '' ? suffix : `${head}-${suffix}`;
}

/** How the candidate's variant is sized (`target.instances`). */
export type InstancesPolicy = 'match' | 'auto' | number;

/**
 * The candidate's instance count at `share` of the traffic: `match` is the stable variant's
 * count from the start (every shift then changes weights only, so a rollback is never queued
 * behind instances starting), `auto` scales with the share of the stable variant's count (at
 * least 1, all of it at 100%), a number is fixed.
 */
export function candidateInstances(instances: InstancesPolicy, share: number, stableCount: number): number {
  if (instances === 'match') return stableCount;
  if (instances !== 'auto') return instances;
  return Math.max(1, Math.ceil(stableCount * Math.min(1, Math.max(0, share)) - 1e-9));
}

/**
 * Tag values cannot hold commas on SageMaker (letters, digits, spaces and `_ . : / = + - @`),
 * but the promotion history (src/rollback/history.ts) separates versions with them: the
 * endpoint tag stores `/` instead, and reading turns it back.
 */
export function historyToTag(description: string): string {
  return description.replaceAll(',', '/');
}

export function historyFromTag(value: string): string {
  return value.replace(/(promoted=)(\S*)/, (_match, marker: string, list: string) => `${marker}${list.replaceAll('/', ',')}`);
}
