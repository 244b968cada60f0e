/**
 * Foldable sections of a CI job log, so the long parts (the rollout's live log, the timeline, every
 * check) fold away and the outcome stays in sight: GitHub Actions' `::group::` workflow commands,
 * GitLab's collapsible sections (docs.gitlab.com, "Custom collapsible sections"), nothing in a
 * terminal. Pure: the caller writes the lines where its log goes.
 */

/** Which log folds the job runs in. */
export type LogSectionStyle = 'github' | 'gitlab' | 'none';

/** GitHub Actions when GITHUB_ACTIONS=true, GitLab CI when GITLAB_CI=true, else none (a terminal). */
export function logSectionStyle(env: NodeJS.ProcessEnv): LogSectionStyle {
  if (env.GITHUB_ACTIONS === 'true') return 'github';
  if (env.GITLAB_CI === 'true') return 'gitlab';
  return 'none';
}

/** A GitLab section name: only letters, digits, `_`, `.` and `-` are allowed there. */
export function sectionName(title: string): string {
  const name = title
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return name === '' ? 'section' : name;
}

export interface SectionOptions {
  /** Unix time of the start or end in ms (GitLab shows the section's duration from them). */
  nowMs: number;
  /** GitLab: fold the section when the log is opened (GitHub groups are always folded). */
  collapsed?: boolean;
}

const ESC_CLEAR_LINE = '\u001b[0K';

/**
 * The line that opens a section, or undefined when the style has none. GitLab's form:
 * `ESC[0Ksection_start:<unix seconds>:<name>[collapsed=true]\rESC[0K<header>`.
 */
export function sectionStart(style: LogSectionStyle, name: string, header: string, options: SectionOptions): string | undefined {
  switch (style) {
    case 'github':
      return `::group::${header}`;
    case 'gitlab':
      return `${ESC_CLEAR_LINE}section_start:${Math.floor(options.nowMs / 1000)}:${name}${options.collapsed === true ? '[collapsed=true]' : ''}\r${ESC_CLEAR_LINE}${header}`;
    case 'none':
      return undefined;
  }
}

/** The line that closes a section: `::endgroup::`, or GitLab's `ESC[0Ksection_end:<unix seconds>:<name>\rESC[0K`. */
export function sectionEnd(style: LogSectionStyle, name: string, options: Pick<SectionOptions, 'nowMs'>): string | undefined {
  switch (style) {
    case 'github':
      return '::endgroup::';
    case 'gitlab':
      return `${ESC_CLEAR_LINE}section_end:${Math.floor(options.nowMs / 1000)}:${name}\r${ESC_CLEAR_LINE}`;
    case 'none':
      return undefined;
  }
}

/**
 * `body` inside a section headed `header`. Without a style the header stays as the body's first
 * line, so the terminal reads as before.
 */
export function inSection(style: LogSectionStyle, header: string, body: readonly string[], options: SectionOptions & { name?: string }): string[] {
  const name = options.name ?? sectionName(header);
  const start = sectionStart(style, name, header, options);
  const end = sectionEnd(style, name, options);
  if (start === undefined || end === undefined) return [header, ...body];
  return [start, ...body, end];
}
