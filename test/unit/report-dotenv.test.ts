import {
  decodeDotenvValue,
  dotenvKey,
  encodeDotenvValue,
  GITLAB_DOTENV_LIMITS,
  renderDotenv,
  renderDotenvFile,
  TRUNCATION_MARKER,
} from '../../src/report/dotenv.js';
import { HOSTILE_HEADER } from './report-fixtures.js';

/** GitLab's parser (Ci::ParseDotenvArtifactService): one `KEY=value` per line, both stripped, nothing else. */
function parseLikeGitLab(text: string, limits = GITLAB_DOTENV_LIMITS): Record<string, string> {
  if (Buffer.byteLength(text, 'utf8') >= limits.maxBytes) throw new Error('Dotenv Artifact Too Big');
  const variables: Record<string, string> = {};
  for (const line of text.split(/(?<=\n)/)) {
    const match = /^(.*?)=(.*)$/m.exec(line);
    if (!match) throw new Error(`Invalid Format: ${JSON.stringify(line)}`);
    const key = (match[1] ?? '').trim();
    if (!/^[a-zA-Z0-9_]+$/.test(key)) throw new Error(`Key can contain only letters, digits and '_': ${key}`);
    variables[key] = (match[2] ?? '').trim();
  }
  if (Object.keys(variables).length > limits.maxVariables) throw new Error('too many variables');
  return variables;
}

const commit = (i: number) => ({
  sha: `${i}`.padStart(40, 'a'),
  header: `feat(api): change number ${i} to the scoring endpoint`,
  type: 'feat',
  scope: 'api',
  breaking: false,
});

describe('dotenvKey', () => {
  it('turns output names into prefixed UPPER_SNAKE keys', () => {
    expect(dotenvKey('previous-version')).toBe('MRG_PREVIOUS_VERSION');
    expect(dotenvKey('previousVersion')).toBe('MRG_PREVIOUS_VERSION');
    expect(dotenvKey('release')).toBe('MRG_RELEASE');
    expect(dotenvKey('a.b c', 'X_')).toBe('X_A_B_C');
    expect(() => dotenvKey('release', 'MRG-')).toThrow(RangeError);
  });
});

describe('renderDotenv', () => {
  it('writes one KEY=value line per output, in order', () => {
    const text = renderDotenv({ release: 'true', bump: 'minor', 'previous-version': '6' });
    expect(text).toBe('MRG_RELEASE=true\nMRG_BUMP=minor\nMRG_PREVIOUS_VERSION=6\n');
  });

  it('honours another prefix', () => {
    expect(renderDotenv({ version: '7' }, 'GATE_')).toBe('GATE_VERSION=7\n');
  });

  it('writes multi-line and hostile values as one JSON line that GitLab keeps and JSON.parse restores', () => {
    const outputs = { reason: `line one\nline two`, header: HOSTILE_HEADER, padded: '  x ', quoted: '"already"' };
    const text = renderDotenv(outputs);
    expect(text.split('\n')).toHaveLength(5);
    expect(text).toContain('MRG_REASON="line one\\nline two"\n');
    const parsed = parseLikeGitLab(text);
    expect(Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, decodeDotenvValue(v)]))).toEqual({
      MRG_REASON: 'line one\nline two',
      MRG_HEADER: HOSTILE_HEADER,
      MRG_PADDED: '  x ',
      MRG_QUOTED: '"already"',
    });
  });

  it('leaves ordinary values unquoted, because GitLab would keep the quotes', () => {
    expect(encodeDotenvValue('feat(api): add score = 1 # not a comment')).toBe('feat(api): add score = 1 # not a comment');
    expect(encodeDotenvValue("it's")).toBe("it's");
    expect(encodeDotenvValue('')).toBe('');
    expect(parseLikeGitLab(renderDotenv({ empty: '' }))).toEqual({ MRG_EMPTY: '' });
  });
});

describe('renderDotenvFile within GitLab limits', () => {
  it('reports nothing truncated or dropped when everything fits', () => {
    expect(renderDotenvFile({ release: 'true' })).toEqual({ text: 'MRG_RELEASE=true\n', truncated: [], dropped: [] });
  });

  it('shortens the commits JSON by whole commits, keeping it valid JSON with a marker', () => {
    const commits = Array.from({ length: 80 }, (_, i) => commit(i));
    const outputs = { release: 'true', bump: 'minor', commits: JSON.stringify(commits), outcome: 'promoted' };
    const file = renderDotenvFile(outputs);
    expect(file.truncated).toEqual(['commits']);
    expect(file.dropped).toEqual([]);
    expect(Buffer.byteLength(file.text, 'utf8')).toBeLessThan(5120);
    const parsed = parseLikeGitLab(file.text);
    expect(parsed.MRG_RELEASE).toBe('true');
    expect(parsed.MRG_OUTCOME).toBe('promoted');
    const kept = JSON.parse(parsed.MRG_COMMITS ?? '') as unknown[];
    const marker = kept.at(-1) as { truncated: boolean; omitted: number };
    expect(marker.truncated).toBe(true);
    expect(kept.slice(0, -1)).toEqual(commits.slice(0, kept.length - 1));
    expect(kept.length - 1 + marker.omitted).toBe(80);
    // As many commits as fit: one more would overflow.
    const oneMore = JSON.stringify([...commits.slice(0, kept.length), { truncated: true, omitted: marker.omitted - 1 }]);
    expect(Buffer.byteLength(file.text, 'utf8') - (parsed.MRG_COMMITS ?? '').length + oneMore.length).toBeGreaterThanOrEqual(5120);
  });

  it('shortens other long values with a marker once commits are not enough', () => {
    const file = renderDotenvFile({ reason: `${'é'.repeat(3000)}\nend`, commits: '[]' });
    expect(file.truncated).toEqual(['reason']);
    const parsed = parseLikeGitLab(file.text);
    const reason = decodeDotenvValue(parsed.MRG_REASON ?? '');
    expect(reason.endsWith(TRUNCATION_MARKER)).toBe(true);
    expect(reason.startsWith('éééé')).toBe(true);
    expect(parsed.MRG_COMMITS).toBe('[]');
  });

  it('drops outputs beyond the variable limit and duplicate keys', () => {
    const outputs = Object.fromEntries(Array.from({ length: 22 }, (_, i) => [`out-${i}`, `${i}`]));
    const file = renderDotenvFile({ 'previous-version': '6', previousVersion: '5', ...outputs });
    expect(file.dropped).toEqual(['previousVersion', 'out-19', 'out-20', 'out-21']);
    const parsed = parseLikeGitLab(file.text);
    expect(Object.keys(parsed)).toHaveLength(20);
    expect(parsed.MRG_PREVIOUS_VERSION).toBe('6');
  });

  it('respects custom limits', () => {
    const file = renderDotenvFile({ a: 'x'.repeat(100), b: 'y' }, 'MRG_', { maxBytes: 64, maxVariables: 5 });
    expect(Buffer.byteLength(file.text, 'utf8')).toBeLessThan(64);
    expect(file.truncated).toEqual(['a']);
    expect(parseLikeGitLab(file.text, { maxBytes: 64, maxVariables: 5 }).MRG_B).toBe('y');
  });
});
