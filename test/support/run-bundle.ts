/**
 * Runs a bundled entry point (dist/main.js, dist/post.js, dist/cli.js) the way a runner does:
 * a child process with INPUT_* variables, GITHUB_EVENT_PATH, and fresh GITHUB_OUTPUT,
 * GITHUB_STEP_SUMMARY and GITHUB_STATE files, and parses what it wrote back.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '..', '..');

export interface BundleRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  state: Record<string, string>;
  summary: string;
}

export interface BundleOptions {
  entry: 'main' | 'post';
  inputs?: Record<string, string>;
  eventName?: string;
  /** Event payload object (written to a temp file) or a fixture path. */
  event?: unknown;
  /** Saved state from the main step, passed to the post step as STATE_* like the runner does. */
  state?: Record<string, string>;
  env?: Record<string, string>;
  cwd?: string;
  /** Called once the process has started (e.g. to send it a signal later). */
  onSpawn?: (child: ChildProcess, files: { output: string; state: string; summary: string }) => void;
}

/** Parse the runner's file-command format (`name<<DELIM\nvalue\nDELIM`, or `name=value`). */
export function parseFileCommands(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delimiter] = heredoc as unknown as [string, string, string];
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i] ?? '');
      result[name] = value.join('\n');
    } else if (line.includes('=')) {
      result[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return result;
}

/** Inputs as the runner passes them: INPUT_<NAME upper-cased, spaces to _> (dashes kept). */
export function inputEnv(inputs: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.replace(/ /g, '_').toUpperCase()}`, v]));
}

export async function runBundle(options: BundleOptions): Promise<BundleRun> {
  const dir = mkdtempSync(join(tmpdir(), 'mrg-runner-'));
  const files = { output: join(dir, 'output'), state: join(dir, 'state'), summary: join(dir, 'summary.md') };
  for (const f of Object.values(files)) writeFileSync(f, '');
  let eventPath = '';
  if (typeof options.event === 'string') eventPath = options.event;
  else if (options.event !== undefined) {
    eventPath = join(dir, 'event.json');
    writeFileSync(eventPath, JSON.stringify(options.event));
  }
  const stateEnv = Object.fromEntries(Object.entries(options.state ?? {}).map(([k, v]) => [`STATE_${k}`, v]));
  // Start from a clean environment: the test runner's own GITHUB_* / INPUT_* must not leak in.
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('GITHUB_') && !k.startsWith('INPUT_') && !k.startsWith('STATE_') && !k.startsWith('RUNNER_') && k !== 'CI' && !k.startsWith('AWS_')),
  ) as Record<string, string>;
  const env: Record<string, string> = {
    ...base,
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: options.eventName ?? 'push',
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_OUTPUT: files.output,
    GITHUB_STATE: files.state,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_REPOSITORY: 'acme/churn-api',
    GITHUB_SHA: 'c0ffee0000000000000000000000000000000001',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_WORKSPACE: options.cwd ?? dir,
    GITHUB_API_URL: 'http://127.0.0.1:9', // nothing listens: a test that needs the API sets its own
    RUNNER_TEMP: dir,
    ...inputEnv({ command: 'release', 'github-token': 'ghs_test_token_do_not_log', force: 'false', ...(options.inputs ?? {}) }),
    ...stateEnv,
    ...(options.env ?? {}),
  };
  const child = spawn(process.execPath, [join(repoRoot, 'dist', `${options.entry}.js`)], { cwd: options.cwd ?? dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  options.onSpawn?.(child, files);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((res) => child.on('close', (c, s) => res([c, s])));
  return {
    code,
    signal,
    stdout,
    stderr,
    outputs: parseFileCommands(readFileSync(files.output, 'utf8')),
    state: parseFileCommands(readFileSync(files.state, 'utf8')),
    summary: readFileSync(files.summary, 'utf8'),
  };
}
