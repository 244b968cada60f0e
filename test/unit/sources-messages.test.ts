import { DEFAULT_TRIGGER } from '../../src/config/defaults.js';
import { CliPlatform, parseCli } from '../../src/platform/cli.js';
import { decideRelease } from '../../src/trigger/decide.js';
import { triggerOutputs, triggerResults } from '../../src/trigger/results.js';
import { messagesToCommits, splitMessages } from '../../src/trigger/sources/messages.js';

describe('splitMessages', () => {
  it('splits on NUL when the text has one, keeping `---` lines inside messages', () => {
    const text = 'feat(api): add batch endpoint\n\n---\nnot a separator here\0fix: typo\n\0';
    expect(splitMessages(text)).toEqual(['feat(api): add batch endpoint\n\n---\nnot a separator here', 'fix: typo']);
  });

  it('splits on lines that are exactly ---, with trailing blanks allowed', () => {
    const text = 'feat(api): one\n---\nfix(api): two\n\nbody of two\n---   \nchore: three\n';
    expect(splitMessages(text)).toEqual(['feat(api): one', 'fix(api): two\n\nbody of two', 'chore: three']);
  });

  it('handles CRLF input and normalizes it to LF', () => {
    const text = 'feat(api): one\r\n\r\nbody\r\n---\r\nfix: two\r\n';
    expect(splitMessages(text)).toEqual(['feat(api): one\n\nbody', 'fix: two']);
  });

  it('does not split on lines that merely contain ---', () => {
    const text = 'docs: table\n\n| a --- b |\n----\n --- \nstill the same message';
    expect(splitMessages(text)).toEqual([text]);
  });

  it('trims blank lines around messages but keeps the first line indentation and inner blank lines', () => {
    expect(splitMessages('\n\n  \n  indented: header\n\n\nbody\n\n  \n')).toEqual(['  indented: header\n\n\nbody']);
  });

  it('drops empty messages, including a leading or doubled separator', () => {
    expect(splitMessages('---\n\n---\nfeat: only\n---\n')).toEqual(['feat: only']);
    expect(splitMessages('\0\0  \n\0')).toEqual([]);
    expect(splitMessages('')).toEqual([]);
  });
});

describe('messagesToCommits', () => {
  it('wraps messages as commits without SHAs, in order', () => {
    expect(messagesToCommits(['feat(api): a', 'fix: b'])).toEqual([
      { sha: '', message: 'feat(api): a' },
      { sha: '', message: 'fix: b' },
    ]);
  });

  it('gives the released SHA to a single message, and to none of several (which one it is is unknown)', () => {
    const sha = 'c94b6e27f1a3d5b8e0c2f4a6b8d0e2f4a6c8e0b2';
    expect(messagesToCommits(['feat(api): a'], sha)).toEqual([{ sha, message: 'feat(api): a' }]);
    expect(messagesToCommits(['feat(api): a', 'fix: b'], sha).map((c) => c.sha)).toEqual(['', '']);
    expect(messagesToCommits(['feat(api): a'], '  ')).toEqual([{ sha: '', message: 'feat(api): a' }]);
  });
});

describe('the CLI with --message or --stdin and --sha', () => {
  const sha = 'c94b6e27f1a3d5b8e0c2f4a6b8d0e2f4a6c8e0b2';
  const platform = (argv: string[], stdin = '') => {
    const { command, options } = parseCli(argv);
    return new CliPlatform(command as 'trigger', options, { CI_COMMIT_SHA: 'f'.repeat(40) }, () => stdin);
  };

  it('reports the given SHA for the commit, where the trigger result and the commits output show it', async () => {
    const cli = platform(['trigger', '-m', 'Feat (Api): x', '--sha', sha]);
    const commits = await cli.collectCommits(cli.readInputs());
    expect(commits.commits).toEqual([{ sha, message: 'Feat (Api): x' }]);
    const decision = decideRelease(commits.commits, DEFAULT_TRIGGER);
    expect(triggerResults(decision, commits)[0]?.details).toMatchObject({ matched: [{ sha, header: 'Feat (Api): x' }] });
    expect(JSON.parse(triggerOutputs(decision).commits!)).toEqual([{ sha, header: 'Feat (Api): x', type: 'feat', scope: 'Api', breaking: false }]);

    const piped = platform(['trigger', '--stdin', '--sha', sha], 'fix(api): clamp\n');
    expect((await piped.collectCommits(piped.readInputs())).commits).toEqual([{ sha, message: 'fix(api): clamp' }]);
  });

  it('does not take CI_COMMIT_SHA for a typed message', async () => {
    const cli = platform(['trigger', '-m', 'Feat (Api): x']);
    expect((await cli.collectCommits(cli.readInputs())).commits).toEqual([{ sha: '', message: 'Feat (Api): x' }]);
  });
});

