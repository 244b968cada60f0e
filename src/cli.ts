#!/usr/bin/env node
// CLI entry (GitLab component and local use). Thin: parse, pick the command, exit with its code.
import { resolve } from 'node:path';
import { defaultTargetFactory, runGate } from './app.js';
import { systemClock } from './core/clock.js';
import { cancellationSignal } from './core/signals.js';
import { CliPlatform, consoleLogger, parseCli, stateFilePath } from './platform/cli.js';
import { HELP } from './platform/cli-help.js';
import { FileStateStore } from './platform/file-state.js';
import { UsageError } from './platform/types.js';
import { TOOL_VERSION } from './pipeline.js';
import { recoverUnfinishedRollout } from './recover.js';

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseCli(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      consoleLogger.error(error.message);
      return 2;
    }
    throw error;
  }
  const { command, options } = parsed;
  if (command === 'help') {
    process.stdout.write(`${HELP.main}\n`);
    return 0;
  }
  if (command === 'version') {
    process.stdout.write(`${TOOL_VERSION}\n`);
    return 0;
  }
  if (options.help) {
    process.stdout.write(`${HELP[command]}\n`);
    return 0;
  }
  if (command === 'recover') {
    // Resolved like `release` resolves it (CI_PROJECT_DIR in GitLab), so recover finds the same file.
    const state = new FileStateStore(resolve(process.env.CI_PROJECT_DIR ?? process.cwd(), stateFilePath(options)));
    return recoverUnfinishedRollout({ state, log: consoleLogger, createTarget: defaultTargetFactory(process.env) });
  }
  return runGate(new CliPlatform(command, options), { clock: systemClock, signal: cancellationSignal() });
}

process.exitCode = await main(process.argv.slice(2));
