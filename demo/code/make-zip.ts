/**
 * Writes demo/code/churn-model.zip, the deployment package `npm run demo` deploys, from
 * demo/code/app.py. Deterministic (stored entries, fixed timestamps): run it again after
 * editing app.py. `npx tsx demo/code/make-zip.ts`
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { storedZip } from '../../test/support/zip.js';

const here = dirname(fileURLToPath(import.meta.url));
writeFileSync(join(here, 'churn-model.zip'), storedZip({ 'app.py': readFileSync(join(here, 'app.py'), 'utf8') }));
