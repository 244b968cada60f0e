/**
 * Runs a bundled entry point the way a runner does: `dist/main.js` / `dist/post.js` as a child
 * process with INPUT_* variables, GITHUB_EVENT_PATH, and fresh GITHUB_OUTPUT,
 * GITHUB_STEP_SUMMARY and GITHUB_STATE files, parsing what it wrote back; `dist/cli.js` with
 * argv, stdin and an environment (`runCli`). Both use `process.execPath`, the Node 24 that
 * `npm test` puts first on PATH, which is the runtime action.yml (`using: node24`) asks for.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '..', '..');

export interface BundleRun {
  /** The executable and arguments the child was started with. */
  command: [string, ...string[]];
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  state: Record<string, string>;
  summary: string;
}

export interface BundleOptions {
  /** Default 'main'. */
  entry?: 'main' | 'post';
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
  /** Kill the child (SIGKILL) after this long so a hung bundle fails its test; default: never. */
  timeoutMs?: number;
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
  let payload: unknown = options.event;
  if (typeof options.event === 'string') {
    eventPath = options.event;
    payload = JSON.parse(readFileSync(eventPath, 'utf8'));
  } else if (options.event !== undefined) {
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
    // The runner sets GITHUB_REPOSITORY to the repository the event belongs to.
    GITHUB_REPOSITORY: repositoryOf(payload) ?? 'acme-ml/churn-model-api',
    GITHUB_SHA: 'c0ffee0000000000000000000000000000000001',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_WORKSPACE: options.cwd ?? dir,
    GITHUB_API_URL: 'http://127.0.0.1:9', // nothing listens: a test that needs the API sets its own
    RUNNER_TEMP: dir,
    ...inputEnv({ command: 'release', 'github-token': 'ghs_test_token_do_not_log', force: 'false', ...(options.inputs ?? {}) }),
    ...stateEnv,
    ...(options.env ?? {}),
  };
  const command: [string, ...string[]] = [process.execPath, join(repoRoot, 'dist', `${options.entry ?? 'main'}.js`)];
  const child = spawn(command[0], command.slice(1), { cwd: options.cwd ?? dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  options.onSpawn?.(child, files);
  const { code, signal, stdout, stderr } = await collect(child, options.timeoutMs);
  return {
    command,
    code,
    signal,
    stdout,
    stderr,
    outputs: parseFileCommands(readFileSync(files.output, 'utf8')),
    state: parseFileCommands(readFileSync(files.state, 'utf8')),
    summary: readFileSync(files.summary, 'utf8'),
  };
}

/** `repository.full_name` of an event payload, when it has one. */
function repositoryOf(payload: unknown): string | undefined {
  const repository = (payload as { repository?: { full_name?: unknown } } | undefined)?.repository;
  return typeof repository?.full_name === 'string' ? repository.full_name : undefined;
}

async function collect(
  child: ChildProcess,
  timeoutMs?: number,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = timeoutMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  try {
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((res, rej) => {
      child.on('error', rej);
      child.on('close', (c, s) => res([c, s]));
    });
    return { code, signal, stdout, stderr };
  } finally {
    clearTimeout(timer);
  }
}

export interface CliRun {
  command: [string, ...string[]];
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Working directory; default a fresh temp directory. */
  cwd?: string;
  /** Added to a clean environment (no CI, GITLAB_*, CI_*, GITHUB_*, AWS_* from the test runner). */
  env?: Record<string, string>;
  /** Written to the child's standard input (then closed); default: stdin is /dev/null. */
  stdin?: string;
  /** SIGKILL the child after this long (default 20 s) so a hang fails the test instead of leaking. */
  timeoutMs?: number;
}

/** Run `dist/cli.js <args>` as a user or a GitLab job would, with Node 24. */
export async function runCli(args: string[], options: CliOptions = {}): Promise<CliRun> {
  const cwd = options.cwd ?? mkdtempSync(join(tmpdir(), 'mrg-cli-'));
  const base = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !/^(GITHUB_|INPUT_|STATE_|RUNNER_|GITLAB_|CI_|AWS_|MODEL_RELEASE_GATE_)/.test(k) && !['CI', 'FORCE_COLOR', 'NO_COLOR'].includes(k),
    ),
  ) as Record<string, string>;
  const command: [string, ...string[]] = [process.execPath, join(repoRoot, 'dist', 'cli.js'), ...args];
  const child = spawn(command[0], command.slice(1), {
    cwd,
    env: { ...base, ...(options.env ?? {}) },
    stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  if (options.stdin !== undefined) child.stdin?.end(options.stdin);
  const result = await collect(child, options.timeoutMs ?? 20_000);
  return { command, ...result };
}
