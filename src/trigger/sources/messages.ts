/**
 * Commit messages typed or piped by a person (local CLI, or a CI system we have no adapter for).
 * They carry no SHA of their own; the release decision only needs the text.
 */
import type { CommitInput } from '../types.js';

/** A separator line between messages: exactly `---`, tolerating trailing blanks (CRs are gone by then). */
const SEPARATOR_LINE = /^---[ \t]*$/gm;

/**
 * Splits standard input into commit messages. NUL separates messages when present (what
 * `git log -z` emits, and safe for any message text); otherwise a line that is exactly `---`
 * does, so people can type several messages by hand. CRLF becomes LF, blank lines around each
 * message are dropped, and empty messages are skipped.
 */
export function splitMessages(text: string): string[] {
  const normalized = text.replace(/\r\n?/g, '\n');
  const parts = normalized.includes('\0') ? normalized.split('\0') : splitOnSeparatorLines(normalized);
  return parts.map(trimBlankLines).filter((message) => message.length > 0);
}

/**
 * Wraps messages as commits, keeping their order. `sha` is the commit being released (the CLI's
 * `--sha`): a single message is that commit, so it gets the SHA; among several, which one is
 * that commit is unknown, so none does (their SHA stays empty, as for any message without one).
 */
export function messagesToCommits(messages: string[], sha?: string): CommitInput[] {
  const known = sha !== undefined && sha.trim() !== '' && messages.length === 1 ? sha.trim() : '';
  return messages.map((message) => ({ sha: known, message }));
}

function splitOnSeparatorLines(text: string): string[] {
  // `split` with a multiline regex cuts at each separator line and leaves its newlines in the
  // neighbouring parts, which trimBlankLines removes.
  return text.split(SEPARATOR_LINE);
}

function trimBlankLines(message: string): string {
  // Leading blank lines go, but the indentation of the first real line stays.
  return message.replace(/^(?:[ \t]*\n)+/, '').replace(/\s+$/, '');
}
