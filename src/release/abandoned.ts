/**
 * Closing a deployment whose run died before recording its outcome. The main step notes an
 * open deployment in the job state (DeploymentJournal); when it is killed, only the post step
 * runs afterwards. It first restores a safe alias (src/recover.ts), then calls this: the
 * deployment is marked by what the alias serves NOW — `success` when it serves the deployed
 * version alone (the promotion landed before the job died), `failure` otherwise — so the
 * environment's page never shows a deployment in progress forever. Best effort: a failure here
 * is a warning, never a failed post step, and never touches traffic.
 */
import type { StateStore } from '../core/state.js';
import type { Logger } from '../platform/types.js';
import type { AliasState } from '../targets/target.js';
import type { DeploymentJournal, OpenDeployment, ReleaseRecordsApi } from './recorder.js';
import { clipStatusDescription } from './recorder.js';

/** The job-state key under which the open deployment is kept. */
export const DEPLOYMENT_STATE_KEY = 'deployment';

/** A journal over the job state: the GitHub main step's. */
export function stateJournal(save: (key: string, value: string) => void): DeploymentJournal {
  return {
    opened: (deployment) => save(DEPLOYMENT_STATE_KEY, JSON.stringify(deployment)),
    closed: () => save(DEPLOYMENT_STATE_KEY, ''),
  };
}

export interface AbandonedDeploymentDeps {
  state: StateStore;
  log: Logger;
  /** The forge API; called only when a deployment is open. */
  createApi: () => ReleaseRecordsApi;
  /** Reads the alias the rollout was on; undefined when the job state does not say which. */
  readAlias: (() => Promise<{ alias: AliasState; name: string }>) | undefined;
  logUrl?: string;
}

/** Marks the deployment the main step left open, if any. Never throws. */
export async function closeAbandonedDeployment(deps: AbandonedDeploymentDeps): Promise<void> {
  const raw = await deps.state.load(DEPLOYMENT_STATE_KEY);
  if (!raw) return;
  let deployment: OpenDeployment;
  try {
    deployment = parseOpenDeployment(raw);
  } catch (error) {
    deps.log.warn(`The job state names an open deployment, but it cannot be read (${(error as Error).message}); it was left as it is.`);
    return;
  }
  const { id, environment, version } = deployment;
  let state: 'success' | 'failure' = 'failure';
  let description: string;
  try {
    if (!deps.readAlias) throw new Error('the job state does not say which alias');
    const { alias, name } = await deps.readAlias();
    const servesAlone = alias.version === version && Object.keys(alias.additionalWeights).length === 0;
    state = servesAlone ? 'success' : 'failure';
    description = servesAlone
      ? `The job stopped before recording the outcome; ${name} serves version ${version} alone.`
      : `The job stopped before the rollout finished; ${name} serves ${routing(alias)}.`;
  } catch (error) {
    description = `The job stopped before the rollout finished; the alias could not be read: ${(error as Error).message}.`;
  }
  try {
    await deps.createApi().setDeploymentStatus(id, {
      state,
      description: clipStatusDescription(description),
      ...(deps.logUrl !== undefined ? { logUrl: deps.logUrl } : {}),
    });
    await deps.state.save(DEPLOYMENT_STATE_KEY, '');
    deps.log.info(`Deployment ${id} of version ${version} in ${environment} marked ${state}: ${description}`);
  } catch (error) {
    deps.log.warn(`Deployment ${id} of version ${version} in ${environment} is still in progress and could not be marked ${state}: ${(error as Error).message}. Traffic was not affected.`);
  }
}

/** `version 6`, or `version 6 and 10% on version 7`: what a reader of the deployment needs. */
function routing(alias: AliasState): string {
  const extra = Object.entries(alias.additionalWeights).map(([version, weight]) => `${Math.round(weight * 1000) / 10}% on version ${version}`);
  return [`version ${alias.version}`, ...extra].join(' and ');
}

function parseOpenDeployment(raw: string): OpenDeployment {
  const value = JSON.parse(raw) as Partial<OpenDeployment>;
  if (typeof value.id !== 'number' || typeof value.environment !== 'string' || typeof value.version !== 'string') {
    throw new Error('expected {"id": number, "environment": string, "version": string}');
  }
  return { id: value.id, environment: value.environment, version: value.version };
}
