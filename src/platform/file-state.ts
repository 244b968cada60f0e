/**
 * Rollout state in a JSON file, for the CLI: GitLab's after_script runs in a fresh shell of
 * the same job, so the file in the job's workspace is how it finds an unfinished rollout.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { StateStore } from '../core/state.js';

export class FileStateStore implements StateStore {
  constructor(private readonly path: string) {}

  private read(): Record<string, string> {
    if (!existsSync(this.path)) return {};
    try {
      return JSON.parse(readFileSync(this.path, 'utf8')) as Record<string, string>;
    } catch {
      // A torn or foreign file must not stop a recovery: treat it as empty and say nothing here;
      // the caller reports "nothing to restore".
      return {};
    }
  }

  save(key: string, value: string): void {
    const values = { ...this.read(), [key]: value };
    mkdirSync(dirname(this.path), { recursive: true });
    // Write-then-rename so a kill mid-write never leaves half a file for the recovery step.
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, JSON.stringify(values, null, 2));
    renameSync(tmp, this.path);
  }

  load(key: string): string | undefined {
    return this.read()[key];
  }
}
