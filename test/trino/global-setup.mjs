// jest globalSetup part: a folder for the run's one shared Trino server (test/support/trino.ts).
// On a full run, or one whose paths name trino, the server starts now in the background (30-45 s),
// while the first test files run; otherwise the first test file that needs it starts it.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isFullRun } from '../iam/operation-log.mjs';
import { claimServer, startInBackground, trinoHome } from './server.mjs';

function namesTrino(globalConfig) {
  const patterns = globalConfig.testPathPatterns;
  const list = Array.isArray(patterns) ? patterns : (patterns?.patterns ?? []);
  return list.some((p) => /trino/i.test(String(p)));
}

export default function globalSetup(globalConfig) {
  const runDir = mkdtempSync(join(tmpdir(), 'mrg-trino-run-'));
  process.env.MRG_TRINO_RUN_DIR = runDir;
  const installed = existsSync(join(trinoHome(), '.installed'));
  if (installed && process.env.TRINO_TESTS !== 'skip' && (isFullRun(globalConfig) || namesTrino(globalConfig)) && claimServer(runDir)) {
    startInBackground(runDir);
  }
}
