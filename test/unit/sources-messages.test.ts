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
});
