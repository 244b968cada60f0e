// Builds one self-contained bundle per entry point with @vercel/ncc:
// dist/main.js (action main step), dist/post.js (action post step), dist/cli.js (CLI / GitLab).
// ncc writes <out>/index.js; we flatten that to dist/<entry>.js so action.yml and package.json
// `bin` can name the files directly. Output is deterministic, so CI can diff it against the commit.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const entries = ['main', 'post', 'cli'];
// Never bundled: DuckDB's ~70 MB native library. The data gate imports it at run time from
// node_modules, or installs the pinned version into the runner's tool cache on first use
// (src/data/engine/load-duckdb.ts).
const externals = ['@duckdb/node-api'];
const dist = 'dist';
const ncc = join('node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js');

// Build into a staging folder and swap it in at the end, so dist/ is never half-written while
// a test (or a runner) reads it.
const staging = `${dist}.staging`;
rmSync(staging, { recursive: true, force: true });
mkdirSync(staging, { recursive: true });
for (const entry of entries) {
  const out = mkdtempSync(join(tmpdir(), `mrg-bundle-${entry}-`));
  execFileSync(process.execPath, [ncc, 'build', `src/${entry}.ts`, '-o', out, '--quiet', '--target', 'es2023', ...externals.flatMap((e) => ['-e', e])], { stdio: 'inherit' });
  const files = readdirSync(out);
  const extra = files.filter((f) => !['index.js', 'package.json'].includes(f));
  if (extra.length > 0) {
    throw new Error(`ncc emitted unexpected assets for ${entry}: ${extra.join(', ')}; teach scripts/bundle.mjs where they go`);
  }
  let code = readFileSync(join(out, 'index.js'), 'utf8');
  if (/\.node\b["']/.test(code) && code.includes('duckdb.node')) throw new Error(`dist/${entry}.js references DuckDB's native module: it must stay external`);
  // An external kept as a static import would make the bundle fail to start where node_modules
  // has no DuckDB (a GitHub runner): only dynamic import() through the loader is allowed.
  for (const external of externals) {
    if (new RegExp(`^\\s*import\\s[^;]*?from\\s*["']${external}["']`, 'm').test(code)) {
      throw new Error(`dist/${entry}.js imports ${external} statically; load it with import() through src/data/engine/load-duckdb.ts`);
    }
  }
  if (entry === 'cli' && !code.startsWith('#!')) code = `#!/usr/bin/env node\n${code}`;
  writeFileSync(join(staging, `${entry}.js`), code, { mode: entry === 'cli' ? 0o755 : 0o644 });
  rmSync(out, { recursive: true, force: true });
}
// The bundles are ES modules; say so for tools that look at dist/ on its own (npx, runners).
writeFileSync(join(staging, 'package.json'), JSON.stringify({ type: 'module' }, null, 2) + '\n');
rmSync(dist, { recursive: true, force: true });
renameSync(staging, dist);
console.log(`bundled ${entries.map((e) => `dist/${e}.js`).join(', ')}`);
