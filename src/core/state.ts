/**
 * Where the main step leaves what the post step needs to restore safety
 * (GitHub: core.saveState/getState; CLI: a file). Injected like actions/cache's StateProvider.
 */
export interface StateStore {
  save(key: string, value: string): void | Promise<void>;
  load(key: string): string | undefined | Promise<string | undefined>;
}

/** In-memory store for tests and for runs where no post step exists. */
export class MemoryStateStore implements StateStore {
  private readonly values = new Map<string, string>();
  save(key: string, value: string): void {
    this.values.set(key, value);
  }
  load(key: string): string | undefined {
    return this.values.get(key);
  }
}
