// GitHub Action main step. Thin by design: all logic lives behind runGate.
import { runGate } from './app.js';
import { systemClock } from './core/clock.js';
import { cancellationSignal } from './core/signals.js';
import { GitHubPlatform } from './platform/github.js';

process.exitCode = await runGate(new GitHubPlatform(), { clock: systemClock, signal: cancellationSignal() });
