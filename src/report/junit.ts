/**
 * JUnit XML for GitLab (`artifacts:reports:junit`) and any CI test viewer: one testsuite per
 * gate, one testcase per check. Text from outside (commit headers, AWS errors) can contain
 * anything, so every attribute and text node is escaped and characters that XML 1.0 forbids
 * are dropped: one stray control character would make GitLab discard the whole report.
 */
import type { CheckResult, Gate, Report } from './result.js';
import { countByStatus, formatExpected, formatObserved, groupByGate, hasExpected, hasObserved, runDurationMs } from './format.js';

/**
 * Characters outside the XML 1.0 `Char` production: C0 controls except tab/LF/CR,
 * lone surrogates, and U+FFFE/U+FFFF. (The `u` flag makes a valid surrogate pair one match
 * of nothing here, and a lone surrogate a match.)
 */
// eslint-disable-next-line no-control-regex
const ILLEGAL_XML_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDFFF]/gu;

/** Escape text for an XML text node, dropping characters XML 1.0 cannot carry. */
export function escapeXmlText(text: string): string {
  return text.replace(ILLEGAL_XML_CHARS, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Escape text for a double-quoted XML attribute. Tab, LF and CR are written as character
 * references because parsers normalise them to spaces in attribute values.
 */
export function escapeXmlAttribute(text: string): string {
  return escapeXmlText(text)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');
}

function attributes(pairs: Record<string, string | number | undefined>): string {
  return Object.entries(pairs)
    .filter((pair): pair is [string, string | number] => pair[1] !== undefined)
    .map(([name, value]) => ` ${name}="${escapeXmlAttribute(String(value))}"`)
    .join('');
}

interface Counts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

function countsFor(results: readonly CheckResult[]): Counts {
  const byStatus = countByStatus(results);
  return { tests: results.length, failures: byStatus.fail, errors: byStatus.error, skipped: byStatus.skip };
}

/** The failure/error body: the evidence a person needs without opening the JSON report. */
function evidence(result: CheckResult): string {
  const lines: string[] = [];
  if (hasObserved(result)) lines.push(`Observed: ${formatObserved(result)}`);
  if (hasExpected(result)) lines.push(`Expected: ${formatExpected(result)}`);
  lines.push(`Message: ${result.message}`);
  if (result.location) {
    const { file, line, column } = result.location;
    lines.push(`Location: ${[file, line, column].filter((part) => part !== undefined).join(':')}`);
  }
  return lines.join('\n');
}

function testcase(result: CheckResult, gate: Gate): string[] {
  const open = `    <testcase${attributes({ classname: gate, name: result.id, file: result.location?.file })}`;
  switch (result.status) {
    case 'pass':
      return [`${open}/>`];
    case 'skip':
      return [`${open}>`, `      <skipped${attributes({ message: result.message })}/>`, '    </testcase>'];
    case 'warn':
      return [`${open}>`, `      <system-out>${escapeXmlText(`warning: ${result.message}`)}</system-out>`, '    </testcase>'];
    case 'info':
      // Information, not a check: a passing testcase, so a viewer counts it as neither failed nor skipped.
      return [`${open}>`, `      <system-out>${escapeXmlText(`info: ${result.message}`)}</system-out>`, '    </testcase>'];
    case 'fail':
      return [
        `${open}>`,
        `      <failure${attributes({ message: result.message, type: 'fail' })}>${escapeXmlText(evidence(result))}</failure>`,
        '    </testcase>',
      ];
    case 'error':
      return [
        `${open}>`,
        `      <error${attributes({ message: result.message, type: 'error' })}>${escapeXmlText(evidence(result))}</error>`,
        '    </testcase>',
      ];
  }
}

/**
 * Render the report as JUnit XML: a root `<testsuites>` with totals, one
 * `<testsuite name="model-release-gate.<gate>">` per gate, one `<testcase>` per check.
 * fail → `<failure>`, error → `<error>` (both with observed/expected/message in the body),
 * skip → `<skipped>`, warn and info → a passing testcase with the message in `<system-out>`.
 */
export function renderJunitXml(report: Report): string {
  const total = countsFor(report.results);
  const durationMs = runDurationMs(report);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attributes({
      name: 'model-release-gate',
      ...total,
      time: Number.isFinite(durationMs) && durationMs >= 0 ? (durationMs / 1000).toFixed(3) : undefined,
    })}>`,
  ];
  for (const { gate, results } of groupByGate(report.results)) {
    lines.push(
      `  <testsuite${attributes({ name: `model-release-gate.${gate}`, ...countsFor(results), timestamp: report.startedAt })}>`,
    );
    for (const result of results) lines.push(...testcase(result, gate));
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}
