// jest globalSetup: one operation log for the whole run, inherited by every worker (see operation-log.mjs).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function globalSetup() {
  const file = join(mkdtempSync(join(tmpdir(), 'mrg-iam-')), 'operations.log');
  writeFileSync(file, '');
  process.env.MRG_SIM_OPERATION_LOG = file;
}
