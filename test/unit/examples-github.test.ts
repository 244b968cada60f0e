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
    // GitHub's default (queue: single) keeps one pending run and cancels it for the next one:
    // a queued release or rollback must never be replaced silently.
    expect(rollback['concurrency']).toMatchObject({ 'cancel-in-progress': false, queue: 'max' });
    expect(releaseJob['concurrency']).toMatchObject({ 'cancel-in-progress': false, queue: 'max' });
  });

  it('release.yml: a manual run (workflow_dispatch) can force a release; pushes never do', () => {
    expect(release['on']['workflow_dispatch']['inputs']['force']).toMatchObject({ type: 'boolean', default: false });
    const releaseJob = release['jobs']['release'] as Json;
    expect(releaseJob['if']).toBe("github.event_name != 'pull_request'");
    const gate = (releaseJob['steps'] as Json[]).find((s) => String(s['uses']).startsWith('acme/model-release-gate@')) as Json;
    // inputs.force is empty on a push, which the action reads as false.
    expect(gate['with']['force']).toBe('${{ inputs.force }}');
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

describe('.github/workflows (this repository\'s CI)', () => {
  const ci = parse(readFileSync(join(repoRoot, '.github', 'workflows', 'ci.yml'), 'utf8')) as Json;

  it('runs .ci/run, and the action itself (uses: ./) on every push, with read-only permissions', () => {
    expect(ci['on']).toHaveProperty('push');
    expect(ci['permissions']).toEqual({ contents: 'read' });
    for (const job of Object.values(ci['jobs'] as Record<string, Json>)) expect(job['permissions']).toBeUndefined();
    const steps = (name: string) => ci['jobs'][name]['steps'] as Json[];
    expect(steps('ci').some((s) => String(s['run']).includes('bash .ci/run'))).toBe(true);
    const action = ci['jobs']['action'] as Json;
    expect(action['if']).toBe("github.event_name == 'push'");
    expect(action['env']).toMatchObject({ AWS_ENDPOINT_URL: 'http://127.0.0.1:4566' });
    expect(steps('action').some((s) => s['uses'] === './')).toBe(true);
  });

  it('never interpolates an expression into a run: script (commit text is untrusted)', () => {
    for (const script of runScripts(ci)) expect(script).not.toMatch(/\$\{\{/);
  });
});

describe('the release workflow in the README', () => {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const block = /```yaml\n# \.github\/workflows\/release\.yml\n([\s\S]*?)```/.exec(readme)?.[1];

  it('is in the concurrency group of examples/github (one rollout or rollback at a time), queuing every push', () => {
    expect(block).toBeDefined();
    const wf = parse(block ?? '') as Json;
    const release = workflow('release.yml');
    expect(wf['concurrency']).toEqual({ ...release['jobs']['release']['concurrency'] });
    for (const script of runScripts(wf)) expect(script).not.toMatch(/\$\{\{/);
  });
});
