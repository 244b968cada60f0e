// jest globalTeardown part: stops the run's shared Trino server (test/trino/server.mjs), waiting
// for one still starting so that none is left behind.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { STARTUP_TIMEOUT_MS } from './server.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export default async function globalTeardown() {
  const dir = process.env.MRG_TRINO_RUN_DIR;
  if (!dir || !existsSync(dir)) return;
  const stateFile = join(dir, 'server.json');
  if (existsSync(join(dir, 'lock'))) {
    const deadline = Date.now() + STARTUP_TIMEOUT_MS + 5_000;
    while (!existsSync(stateFile) && !existsSync(join(dir, 'error.txt')) && Date.now() < deadline) await sleep(250);
  }
  if (existsSync(stateFile)) {
    const { pid } = JSON.parse(readFileSync(stateFile, 'utf8'));
    const signal = (name) => {
      try {
        process.kill(-pid, name);
        return true;
      } catch {
        return false;
      }
    };
    signal('SIGTERM');
    for (let waited = 0; waited < 10_000 && signal(0); waited += 100) await sleep(100);
    signal('SIGKILL');
  }
  rmSync(dir, { recursive: true, force: true });
}
