import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '../support/run-bundle.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function workflow(name: string): Json {
  return parse(readFileSync(join(repoRoot, 'examples', 'github', name), 'utf8')) as Json;
}

/** Every `run:` script of every job. */
function runScripts(wf: Json): string[] {
  return Object.values(wf['jobs'] as Record<string, Json>).flatMap((job) => (job['steps'] as Json[]).filter((s) => 'run' in s).map((s) => String(s['run'])));
}

describe('examples/github', () => {
  const rollback = workflow('rollback.yml');
  const release = workflow('release.yml');

  it('rollback.yml: workflow_dispatch with environment (choice), to and reason', () => {
    const inputs = rollback['on']['workflow_dispatch']['inputs'] as Json;
    expect(inputs['environment']).toMatchObject({ type: 'choice', options: expect.arrayContaining(['production']) });
    expect(inputs['to']).toMatchObject({ type: 'string', required: true });
    expect(inputs['reason']).toMatchObject({ type: 'string' });
  });

  it('rollback.yml: OIDC, an environment for protection rules, inputs only through with:', () => {
    expect(rollback['permissions']).toMatchObject({ 'id-token': 'write' });
    const job = rollback['jobs']['rollback'] as Json;
    expect(job['environment']).toBe('${{ inputs.environment }}');
    const steps = job['steps'] as Json[];
    expect(steps.some((s) => String(s['uses']).startsWith('aws-actions/configure-aws-credentials@'))).toBe(true);
    const gate = steps.find((s) => String(s['uses']).startsWith('acme/model-release-gate@')) as Json;
    expect(gate['with']).toMatchObject({ command: 'rollback', to: '${{ inputs.to }}', reason: '${{ inputs.reason }}' });
    for (const script of [...runScripts(rollback), ...runScripts(release)]) expect(script).not.toMatch(/\$\{\{/);
  });

  it('a rollback of production shares the concurrency group of the release, and neither cancels the other', () => {
    const rollbackGroup = String(rollback['concurrency']['group']).replace('${{ inputs.environment }}', 'production');
    const releaseJob = release['jobs']['release'] as Json;
    expect(rollbackGroup).toBe(releaseJob['concurrency']['group']);
    expect(rollback['concurrency']['cancel-in-progress']).toBe(false);
    expect(releaseJob['concurrency']).toMatchObject({ 'cancel-in-progress': false, queue: 'max' });
  });

  it('release.yml: push to main with minimal permissions, OIDC only on the release job, a pull request check job', () => {
    expect(release['on']['push']).toEqual({ branches: ['main'] });
    expect(release['permissions']).toEqual({ contents: 'read' });
    // Write access only for the release records the job asks for: the tag and the deployment.
    const releaseJob = release['jobs']['release'] as Json;
    expect(releaseJob['permissions']).toEqual({ contents: 'write', deployments: 'write', 'id-token': 'write' });
    const gate = (releaseJob['steps'] as Json[]).find((s) => String(s['uses']).startsWith('acme/model-release-gate@')) as Json;
    expect(gate['with']).toMatchObject({ 'create-tag': true, environment: 'production' });
    // The job's environment records no deployment of its own: the gate's is the only one.
    expect(releaseJob['environment']).toEqual({ name: 'production', deployment: false });
    const check = release['jobs']['check'] as Json;
    expect(check['if']).toContain('pull_request');
    expect(check['permissions']).toBeUndefined();
    expect((check['steps'] as Json[]).find((s) => String(s['uses']).startsWith('acme/model-release-gate@'))?.['with']).toEqual({ command: 'check' });
  });
});
