import { readFileSync } from 'node:fs';
import { DEFAULT_DRY_RUN, DEFAULT_JUDGE, DEFAULT_PUBLISH, DEFAULT_RELEASE, DEFAULT_ROLLOUT, DEFAULT_STRATEGY_KEYS, DEFAULT_TRIGGER } from '../../src/config/defaults.js';
import { parseDuration } from '../../src/config/duration.js';
import { configSchema } from '../../src/config/schema.js';
import { closestKey, editDistance } from '../../src/config/suggest.js';

interface Node {
  type?: string;
  description?: string;
  default?: unknown;
  $ref?: string;
  additionalProperties?: boolean;
  properties?: Record<string, Node>;
  items?: Node;
}


function walkObjects(node: Node, path: string[], visit: (node: Node, path: string[]) => void): void {
  if (node.properties) visit(node, path);
  for (const [key, child] of Object.entries(node.properties ?? {})) walkObjects(child, [...path, key], visit);
  if (node.items) walkObjects(node.items, [...path, '[]'], visit);
}

function at(path: string): Node {
  let node = configSchema as unknown as Node;
  for (const key of path.split('.')) {
    const next = node.properties?.[key];
    if (!next) throw new Error(`no ${path} in the schema`);
    node = next;
  }
  return node;
}

describe('the JSON Schema', () => {
  it('is the committed file', () => {
    const file = JSON.parse(readFileSync(new URL('../../schema/model-release.schema.json', import.meta.url), 'utf8')) as unknown;
    expect(configSchema).toEqual(file);
    expect(configSchema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
  });

  it('describes every property', () => {
    const missing: string[] = [];
    walkObjects(configSchema as unknown as Node, [], (node, path) => {
      for (const [key, child] of Object.entries(node.properties ?? {})) {
        if (!child.description) missing.push([...path, key].join('.'));
      }
    });
    expect(missing).toEqual([]);
  });

  it('closes every object', () => {
    const open: string[] = [];
    walkObjects(configSchema as unknown as Node, [], (node, path) => {
      if (node.additionalProperties !== false) open.push(path.join('.'));
    });
    expect(open).toEqual([]);
    for (const section of ['model', 'pretraffic']) expect(at(section).additionalProperties).toBe(false);
  });

  it('announces the same defaults the loader applies', () => {
    const ms = (path: string) => parseDuration(String(at(path).default));
    expect(at('trigger.types').default).toEqual(DEFAULT_TRIGGER.types);
    expect(at('trigger.scopes').default).toEqual(DEFAULT_TRIGGER.scopes);
    expect(at('target.publish').default).toBe(DEFAULT_PUBLISH);
    expect(at('dry-run').default).toBe(DEFAULT_DRY_RUN);
    expect(at('release.tag').default).toBe(DEFAULT_RELEASE.tag);
    expect(at('release.tag-pattern').default).toBe(DEFAULT_RELEASE.tagPattern);
    expect(at('release.initial-version').default).toBe(DEFAULT_RELEASE.initialVersion);
    expect(ms('rollout.poll')).toBe(DEFAULT_ROLLOUT.pollMs);
    expect(ms('rollout.final-bake')).toBe(DEFAULT_ROLLOUT.finalBakeMs);
    expect(at('rollout.min-invocations').default).toBe(DEFAULT_ROLLOUT.minInvocations);
    expect(at('rollout.on-inconclusive').default).toBe(DEFAULT_ROLLOUT.onInconclusive);
    expect(at('rollout.on-existing-canary').default).toBe(DEFAULT_ROLLOUT.onExistingCanary);
    expect(at('rollout.step').default).toBe(DEFAULT_STRATEGY_KEYS.linear.stepPercent);
    expect(at('rollout.percent').default).toBe(DEFAULT_STRATEGY_KEYS.canary.percent);
    expect(ms('rollout.judge.window')).toBe(DEFAULT_JUDGE.windowMs);
    expect(at('rollout.judge.max-errors').default).toBe(DEFAULT_JUDGE.maxErrors);
  });
});

describe('closestKey', () => {
  it('measures edits', () => {
    expect(editDistance('stepp', 'step')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('suggests a close key, ignoring case and separators', () => {
    expect(closestKey('stepp', ['step', 'steps', 'poll'])).toBe('step');
    expect(closestKey('functionName', ['function-name', 'alias'])).toBe('function-name');
    expect(closestKey('final_bake', ['bake', 'final-bake'])).toBe('final-bake');
  });

  it('does not guess wildly', () => {
    expect(closestKey('colour', ['step', 'poll', 'judge'])).toBeUndefined();
  });
});
