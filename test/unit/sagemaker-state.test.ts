import {
  aliasStateOf,
  candidateInstances,
  historyFromTag,
  historyToTag,
  holdsShares,
  nameWithSuffix,
  revisionOf,
  SAGEMAKER_NAME,
  type EndpointView,
  type VariantView,
} from '../../src/targets/sagemaker-state.js';
import { parsePromotionHistory, recordPromotion } from '../../src/rollback/history.js';

function variant(variantName: string, modelName: string, desiredWeight: number, currentWeight = desiredWeight, instanceCount = 2): VariantView {
  return { variantName, modelName, desiredWeight, currentWeight, instanceCount };
}

function view(variants: VariantView[], extra: Partial<EndpointView> = {}): EndpointView {
  return { endpointName: 'churn', endpointArn: 'arn:aws:sagemaker:us-east-1:123456789012:endpoint/churn', configName: 'churn-cfg-1', status: 'InService', variants, shadowVariants: [], ...extra };
}

describe('an endpoint seen as an alias', () => {
  it('makes the first variant of the config the primary version, by its model, and the others additional shares', () => {
    const state = aliasStateOf(view([variant('AllTraffic', 'churn-v1', 3), variant('churn-v2', 'churn-v2', 1)]));
    expect(state.version).toBe('churn-v1');
    expect(state.additionalWeights).toEqual({ 'churn-v2': 0.25 });
  });

  it('keeps the stable version primary at the final bake, when it has weight 0', () => {
    const state = aliasStateOf(view([variant('AllTraffic', 'churn-v1', 0), variant('churn-v2', 'churn-v2', 1)]));
    expect(state.version).toBe('churn-v1');
    expect(state.additionalWeights).toEqual({ 'churn-v2': 1 });
  });

  it('leaves out variants without traffic', () => {
    expect(aliasStateOf(view([variant('AllTraffic', 'churn-v1', 1), variant('churn-v2', 'churn-v2', 0)])).additionalWeights).toEqual({});
  });

  it('reports where an update in flight is taking traffic (desired weights), not where it was', () => {
    const shifting = view([variant('AllTraffic', 'churn-v1', 0.9, 1), variant('churn-v2', 'churn-v2', 0.1, 0)], { status: 'Updating' });
    expect(aliasStateOf(shifting).additionalWeights).toEqual({ 'churn-v2': expect.closeTo(0.1, 9) });
  });

  it('refuses an endpoint that serves one model on two variants: versions would be ambiguous', () => {
    expect(() => aliasStateOf(view([variant('a', 'churn-v1', 1), variant('b', 'churn-v1', 1)]))).toThrow(/serves model 'churn-v1' on two production variants/);
  });

  it('changes its revision with the config, the status and the weights, and not with float noise', () => {
    const base = view([variant('AllTraffic', 'churn-v1', 0.9), variant('churn-v2', 'churn-v2', 0.1)]);
    expect(revisionOf(base)).toBe(revisionOf(view([variant('AllTraffic', 'churn-v1', 0.9000000001), variant('churn-v2', 'churn-v2', 0.1)])));
    expect(revisionOf(base)).not.toBe(revisionOf({ ...base, configName: 'someone-elses' }));
    expect(revisionOf(base)).not.toBe(revisionOf({ ...base, status: 'Updating' }));
    expect(revisionOf(base)).not.toBe(revisionOf(view([variant('AllTraffic', 'churn-v1', 0.8), variant('churn-v2', 'churn-v2', 0.2)])));
  });

  it('compares shares, not raw weights', () => {
    const v = view([variant('AllTraffic', 'churn-v1', 9), variant('churn-v2', 'churn-v2', 1)]);
    expect(holdsShares(v, { AllTraffic: 0.9, 'churn-v2': 0.1 })).toBe(true);
    expect(holdsShares(v, { AllTraffic: 1 })).toBe(false);
  });
});

describe('names, instances and tags', () => {
  it('cuts a prefix so that prefix-suffix is a valid SageMaker name', () => {
    const name = nameWithSuffix('a'.repeat(70), '0123456789ab');
    expect(name).toHaveLength(63);
    expect(name).toMatch(SAGEMAKER_NAME);
    expect(nameWithSuffix('churn_model.v2', 'abc')).toBe('churn-model-v2-abc');
    expect(nameWithSuffix('churn-'.repeat(10) + 'x', 'mrg-0011aabb')).toMatch(SAGEMAKER_NAME);
  });

  it('sizes the candidate like the stable variant (match), by its share (auto), or fixed', () => {
    expect(candidateInstances('auto', 0, 4)).toBe(1);
    expect(candidateInstances('auto', 0.1, 4)).toBe(1);
    expect(candidateInstances('auto', 0.5, 4)).toBe(2);
    expect(candidateInstances('auto', 0.51, 4)).toBe(3);
    expect(candidateInstances('auto', 1, 4)).toBe(4);
    expect(candidateInstances(3, 0.1, 4)).toBe(3);
    expect(candidateInstances('match', 0, 4)).toBe(4);
  });

  it('stores the promotion history in a tag value without commas and reads it back', () => {
    const description = recordPromotion('kept text', 'churn-3f2a', 'AllTraffic-model') as string;
    const tag = historyToTag(description);
    expect(tag).not.toContain(',');
    expect(tag).toMatch(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u);
    expect(parsePromotionHistory(historyFromTag(tag))).toEqual(['churn-3f2a', 'AllTraffic-model']);
    expect(historyFromTag(tag)).toContain('kept text');
  });
});
