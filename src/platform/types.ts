/**
 * What a platform adapter (GitHub Action, GitLab job, local CLI) provides. It is the only code
 * that knows where inputs, commits, outputs and state live; everything behind it is shared.
 */
import type { ConfigOverride } from '../config/load.js';
import type { ReleaseConfig } from '../config/types.js';
import type { StateStore } from '../core/state.js';
import type { ReleaseRecords } from '../release/records.js';
import type { Report } from '../report/result.js';
import type { CommitCollection } from '../trigger/types.js';

export type Command = 'release' | 'check' | 'trigger' | 'rollback' | 'validate';

/** Everything the user asked for, in one typed object (read and validated by the adapter). */
export interface GateInputs {
  command: Command;
  /** Config file path and whether the user named it (a named file must exist). */
  configPath: string;
  configExplicit: boolean;
  /** Inputs/flags that override config keys. */
  overrides: ConfigOverride[];
  /** workflow_dispatch / manual: release without a matching commit. */
  force: boolean;
  /** The commit being released and its tag, recorded in the published version's description. */
  sha?: string;
  tag?: string;
  /** GitHub Deployments environment (action input `environment`); no deployment records without it. */
  environment?: string;
  /** Repository working directory (git commands, relative paths). */
  workspace: string;
  /** rollback: the release to return to (a tag, a commit SHA or `previous`), why, and who asked. */
  rollbackTo?: string;
  reason?: string;
  actor?: string;
}

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug(message: string): void;
  /**
   * Fold the lines logged until `endGroup` under `title` (GitHub `::group::`, a GitLab collapsible
   * section); absent or a no-op in a terminal.
   */
  startGroup?(title: string): void;
  endGroup?(): void;
}

export interface Platform {
  readonly name: 'github' | 'gitlab' | 'local';
  /** Throws UsageError on bad inputs. */
  readInputs(): GateInputs;
  collectCommits(inputs: GateInputs): Promise<CommitCollection>;
  readonly state: StateStore;
  readonly log: Logger;
  /**
   * Release records (tag, deployments) for a release, or undefined when there is nothing to
   * record or the platform cannot (the CLI). Throws UsageError when they cannot be set up.
   */
  releaseRecords?(inputs: GateInputs, release: ReleaseConfig): ReleaseRecords | undefined;
  /** Write outputs, summary, annotations and report files. */
  publish(report: Report, files: { jsonPath?: string; junitPath?: string; dotenvPath?: string; chartPath?: string; verbose?: boolean }): Promise<void>;
}

/** Bad inputs or flags: exit code 2, before anything runs. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
