#!/usr/bin/env node
/**
 * A stand-in for rsync, for machines without it (`npm ci` cannot install it), covering only what
 * gitlab-ci-local 4.x runs in its shell executor (node_modules/gitlab-ci-local/dist/index.js):
 *
 *   rsync -a --delete-excluded --delete --exclude-from=F [--exclude-from=F] --exclude P ... ./ DEST/
 *       (rsyncTrackedFiles: the tracked files into .gitlab-ci-local/builds/<name>/)
 *   rsync --exclude '.gitlab-ci-local/**' -rRa [--exclude P] --files-from=F . DEST/.
 *   rsync -Ra ./PATH ... DEST/.            (artifacts, dotenv reports, cache)
 *   rsync [--exclude=/P/] -a SRC/. DEST    (copy-in and artifacts-to-source, shell isolation)
 *
 * Semantics kept: -a (recursive, symlinks as links, modes and mtimes), -R (keep the given
 * relative path under DEST), --files-from (paths relative to the source, recursive with -r),
 * exclude patterns (`*`, `**`, `?`, a leading `/` anchors, a trailing `/` matches directories
 * only, a pattern without `/` matches a name at any depth), and --delete together with
 * --delete-excluded (DEST ends up holding exactly what was copied). Anything else is refused
 * loudly (exit 1) rather than half-done. Missing sources exit 23 like rsync's partial transfer.
 * test/support/gitlab-component.ts puts it on PATH as `rsync` when the real one is absent.
 */
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, copyFileSync, utimesSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';

const args = process.argv.slice(2);
if (args.includes('--version')) {
  process.stdout.write('rsync  version 3.2.7-shim  protocol version 31 (model-release-gate test shim)\n');
  process.exit(0);
}

const excludes = [];
let filesFrom;
let recursive = false;
let relative = false;
let archive = false;
let del = false;
let deleteExcluded = false;
const positionals = [];

function fail(message) {
  process.stderr.write(`rsync (test shim): ${message}\n`);
  process.exit(1);
}

for (let i = 0; i < args.length; i++) {
  const arg = args[i];
  if (arg === '--exclude') excludes.push(args[++i]);
  else if (arg.startsWith('--exclude=')) excludes.push(arg.slice('--exclude='.length));
  else if (arg.startsWith('--exclude-from=')) {
    for (const line of readFileSync(arg.slice('--exclude-from='.length), 'utf8').split('\n')) {
      if (line.trim() !== '' && !line.startsWith('#') && !line.startsWith(';')) excludes.push(line);
    }
  } else if (arg.startsWith('--files-from=')) filesFrom = arg.slice('--files-from='.length);
  else if (arg === '--delete') del = true;
  else if (arg === '--delete-excluded') deleteExcluded = true;
  else if (/^-[arR]+$/.test(arg)) {
    for (const flag of arg.slice(1)) {
      if (flag === 'a') archive = true;
      else if (flag === 'r') recursive = true;
      else if (flag === 'R') relative = true;
    }
  } else if (arg.startsWith('-')) fail(`unsupported option ${arg}`);
  else positionals.push(arg);
}
if (archive) recursive = true;
if (del && !deleteExcluded) fail('--delete without --delete-excluded is not supported');
if (positionals.length < 2) fail('expected SOURCE... DEST');
const dest = positionals.pop();

/** rsync's glob: `**` crosses `/`, `*` and `?` do not. */
function globToRegExp(glob) {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      out += '.*';
      i++;
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return out;
}

const rules = excludes.map((raw) => {
  let pattern = raw;
  const dirOnly = pattern.endsWith('/');
  if (dirOnly) pattern = pattern.slice(0, -1);
  const anchored = pattern.startsWith('/');
  if (anchored) pattern = pattern.slice(1);
  // Anchored: the whole path. Otherwise the path's tail at a `/` boundary (for a pattern without
  // `/`, that is a name at any depth).
  const body = globToRegExp(pattern);
  return { regex: new RegExp(anchored ? `^${body}$` : `(^|/)${body}$`), dirOnly };
});

/** Is `rel` (path under the transfer root, no leading `./`) excluded? */
function excluded(rel, isDir) {
  return rules.some((r) => (!r.dirOnly || isDir) && r.regex.test(rel));
}

let partial = false;

/** Copy `from` to `to` (a file, a link, or with -r a directory tree), `rel` naming it for the rules. */
function copyEntry(from, to, rel) {
  let stat;
  try {
    stat = lstatSync(from);
  } catch {
    process.stderr.write(`rsync (test shim): link_stat "${from}" failed: No such file or directory\n`);
    partial = true;
    return;
  }
  if (rel !== '' && excluded(rel, stat.isDirectory())) return;
  if (stat.isSymbolicLink()) {
    rmSync(to, { force: true, recursive: true });
    symlinkSync(readlinkSync(from), to);
    return;
  }
  if (stat.isDirectory()) {
    mkdirSync(to, { recursive: true });
    if (recursive) {
      for (const name of readdirSync(from)) copyEntry(join(from, name), join(to, name), rel === '' ? name : `${rel}/${name}`);
    }
    chmodSync(to, stat.mode & 0o7777);
    utimesSync(to, stat.atime, stat.mtime);
    return;
  }
  if (!stat.isFile()) return;
  if (existsSync(to) && lstatSync(to).isDirectory()) rmSync(to, { recursive: true, force: true });
  copyFileSync(from, to);
  chmodSync(to, stat.mode & 0o7777);
  utimesSync(to, stat.atime, stat.mtime);
}

/** `./a/b` → `a/b`; `SRC/.` and `SRC/` → contents of SRC. */
function normalise(path) {
  return path.replace(/^(\.\/)+/, '').replace(/\/\.$/, '/');
}

// --delete --delete-excluded: DEST holds exactly what this run copies.
if (del) rmSync(dest, { recursive: true, force: true });
mkdirSync(dest, { recursive: true });

if (filesFrom !== undefined) {
  if (positionals.length !== 1) fail('--files-from takes one source directory');
  const base = positionals[0];
  const list = readFileSync(filesFrom === '-' ? 0 : filesFrom, 'utf8').split('\n').filter((l) => l.trim() !== '');
  for (const line of list) {
    const rel = normalise(line).replace(/\/$/, '');
    if (rel === '' || rel === '.') continue;
    const parent = rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '';
    if (parent !== '') mkdirSync(join(dest, parent), { recursive: true });
    copyEntry(join(base, rel), join(dest, rel), rel);
  }
} else {
  for (const source of positionals) {
    const contents = source.endsWith('/') || source.endsWith('/.') || source === '.';
    if (relative) {
      const rel = normalise(source).replace(/\/$/, '');
      if (rel === '' || rel === '.') {
        for (const name of readdirSync(source)) copyEntry(join(source, name), join(dest, name), name);
        continue;
      }
      const parent = rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '';
      if (parent !== '') mkdirSync(join(dest, parent), { recursive: true });
      copyEntry(resolve(source), join(dest, rel), rel);
    } else if (contents) {
      if (!existsSync(source)) {
        process.stderr.write(`rsync (test shim): change_dir "${source}" failed: No such file or directory\n`);
        partial = true;
        continue;
      }
      for (const name of readdirSync(source)) copyEntry(join(source, name), join(dest, name), name);
    } else {
      const name = basename(source);
      copyEntry(source, join(dest, name), name);
    }
  }
}
process.exit(partial ? 23 : 0);
