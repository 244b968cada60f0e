// Builds one self-contained bundle per entry point with @vercel/ncc:
// dist/main.js (action main step), dist/post.js (action post step), dist/cli.js (CLI / GitLab).
// ncc writes <out>/index.js; we flatten that to dist/<entry>.js so action.yml and package.json
// `bin` can name the files directly. Output is deterministic, so CI can diff it against the commit.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const entries = ['main', 'post', 'cli'];
const dist = 'dist';
const ncc = join('node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js');

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
for (const entry of entries) {
  const out = mkdtempSync(join(tmpdir(), `mrg-bundle-${entry}-`));
  execFileSync(process.execPath, [ncc, 'build', `src/${entry}.ts`, '-o', out, '--quiet', '--target', 'es2023'], { stdio: 'inherit' });
  const files = readdirSync(out);
  const extra = files.filter((f) => !['index.js', 'package.json'].includes(f));
  if (extra.length > 0) {
    throw new Error(`ncc emitted unexpected assets for ${entry}: ${extra.join(', ')}; teach scripts/bundle.mjs where they go`);
  }
  let code = readFileSync(join(out, 'index.js'), 'utf8');
  if (entry === 'cli' && !code.startsWith('#!')) code = `#!/usr/bin/env node\n${code}`;
  writeFileSync(join(dist, `${entry}.js`), code, { mode: entry === 'cli' ? 0o755 : 0o644 });
  rmSync(out, { recursive: true, force: true });
}
// The bundles are ES modules; say so for tools that look at dist/ on its own (npx, runners).
writeFileSync(join(dist, 'package.json'), JSON.stringify({ type: 'module' }, null, 2) + '\n');
console.log(`bundled ${entries.map((e) => `dist/${e}.js`).join(', ')}`);
