import { escapeXmlAttribute, escapeXmlText, renderJunitXml } from '../../src/report/junit.js';
import type { Report } from '../../src/report/result.js';
import { configError, hostileCommit, manyFailures, promotedRollout, rolledBackRollout, skippedTriggerOnly } from './report-fixtures.js';

interface Element {
  name: string;
  attributes: Record<string, string>;
  children: Element[];
  text: string;
}

const ENTITY = /&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/y;
// eslint-disable-next-line no-control-regex
const ILLEGAL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

function decode(text: string): string {
  return text
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

/** Check that every `&` starts a known entity and no illegal character appears. */
function checkCharacterData(text: string, where: string): void {
  if (ILLEGAL.test(text)) throw new Error(`illegal XML character in ${where}`);
  for (let i = text.indexOf('&'); i !== -1; i = text.indexOf('&', i + 1)) {
    ENTITY.lastIndex = i;
    if (!ENTITY.test(text)) throw new Error(`bare & in ${where}: ${text.slice(i, i + 12)}`);
  }
}

/**
 * A strict little parser for the XML subset a JUnit report uses: elements, double-quoted
 * attributes, text, the declaration. It throws on anything not well-formed: unbalanced or
 * crossed tags, a raw `<` or `&`, unquoted attributes, illegal characters, two roots.
 */
function parseXml(xml: string): Element {
  const declaration = '<?xml version="1.0" encoding="UTF-8"?>\n';
  if (!xml.startsWith(declaration)) throw new Error('missing XML declaration');
  let rest = xml.slice(declaration.length);
  const root: Element = { name: '#document', attributes: {}, children: [], text: '' };
  const stack: Element[] = [root];
  const tag = /^<(\/?)([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.-]*="[^"<]*")*)\s*(\/?)>/;
  while (rest.length > 0) {
    const current = stack.at(-1) as Element;
    if (rest.startsWith('<')) {
      const match = tag.exec(rest);
      if (!match) throw new Error(`malformed markup at: ${rest.slice(0, 40)}`);
      const [whole, closing, name = '', attributeText = '', selfClosing] = match;
      if (closing) {
        if (current.name !== name) throw new Error(`</${name}> closes <${current.name}>`);
        stack.pop();
      } else {
        const attributes: Record<string, string> = {};
        for (const [, key = '', value = ''] of attributeText.matchAll(/([A-Za-z_][\w.-]*)="([^"]*)"/g)) {
          checkCharacterData(value, `attribute ${key}`);
          if (key in attributes) throw new Error(`duplicate attribute ${key}`);
          attributes[key] = decode(value);
        }
        const element: Element = { name, attributes, children: [], text: '' };
        if (current === root && root.children.length > 0) throw new Error('second root element');
        current.children.push(element);
        if (!selfClosing) stack.push(element);
      }
      rest = rest.slice(whole.length);
    } else {
      const end = rest.indexOf('<');
      const text = end === -1 ? rest : rest.slice(0, end);
      checkCharacterData(text, `text of <${current.name}>`);
      if (current === root && text.trim() !== '') throw new Error('text outside the root');
      current.text += decode(text);
      rest = end === -1 ? '' : rest.slice(end);
    }
  }
  if (stack.length !== 1) throw new Error(`unclosed <${stack.at(-1)?.name}>`);
  const [document] = root.children;
  if (!document) throw new Error('no root element');
  return document;
}

const suites = (xml: string) => parseXml(xml).children;
const findCase = (xml: string, name: string): Element => {
  const found = suites(xml)
    .flatMap((suite) => suite.children)
    .find((testcase) => testcase.attributes.name === name);
  if (!found) throw new Error(`no testcase ${name}`);
  return found;
};

describe('the test XML checker', () => {
  it('rejects what GitLab would reject', () => {
    const head = '<?xml version="1.0" encoding="UTF-8"?>\n';
    expect(() => parseXml(`${head}<a><b></a></b>`)).toThrow('closes');
    expect(() => parseXml(`${head}<a>x < y</a>`)).toThrow('malformed');
    expect(() => parseXml(`${head}<a>fish & chips</a>`)).toThrow('bare &');
    expect(() => parseXml(`${head}<a>\u0001</a>`)).toThrow('illegal');
    expect(() => parseXml(`${head}<a>`)).toThrow('unclosed');
  });
});

describe('renderJunitXml', () => {
  it('writes one testsuite per gate with counts, and totals on the root', () => {
    const xml = renderJunitXml(promotedRollout());
    const root = parseXml(xml);
    expect(root.name).toBe('testsuites');
    expect(root.attributes).toMatchObject({ tests: '5', failures: '0', errors: '0', skipped: '0', time: '126.000' });
    expect(root.children.map((suite) => suite.attributes.name)).toEqual([
      'model-release-gate.trigger',
      'model-release-gate.data',
      'model-release-gate.model',
      'model-release-gate.rollout',
    ]);
    const rollout = root.children[3] as Element;
    expect(rollout.attributes).toMatchObject({ tests: '2', failures: '0' });
    expect(rollout.children.map((testcase) => [testcase.attributes.classname, testcase.attributes.name])).toEqual([
      ['rollout', 'rollout.step-1'],
      ['rollout', 'rollout.step-2'],
    ]);
  });

  it('keeps a warning passing, with the message in system-out', () => {
    const testcase = findCase(renderJunitXml(promotedRollout()), 'model.precision');
    expect(testcase.children.map((child) => child.name)).toEqual(['system-out']);
    expect(testcase.children[0]?.text).toContain('Precision is within 0.5 points of the floor.');
  });

  it('reports a failure with observed, expected and message', () => {
    const xml = renderJunitXml(rolledBackRollout());
    expect(parseXml(xml).attributes).toMatchObject({ tests: '2', failures: '1', errors: '0', skipped: '0' });
    const [failure] = findCase(xml, 'rollout.step-1').children;
    expect(failure?.name).toBe('failure');
    expect(failure?.attributes.message).toBe('3 errors in the last 5 minutes (max 0).');
    expect(failure?.text).toBe('Observed: 3\nExpected: 0\nMessage: 3 errors in the last 5 minutes (max 0).');
  });

  it('reports an evaluation error as <error> with its location', () => {
    const xml = renderJunitXml(configError());
    expect(parseXml(xml).attributes).toMatchObject({ tests: '1', failures: '0', errors: '1' });
    const testcase = findCase(xml, 'config.schema');
    expect(testcase.attributes.file).toBe('.model-release.yml');
    expect(testcase.children[0]?.name).toBe('error');
    expect(testcase.children[0]?.text).toContain('Location: .model-release.yml:12:5');
  });

  it('marks a skip as skipped', () => {
    const xml = renderJunitXml(skippedTriggerOnly());
    expect(parseXml(xml).attributes).toMatchObject({ tests: '1', skipped: '1', failures: '0' });
    expect(findCase(xml, 'trigger.release').children.map((child) => child.name)).toEqual(['skipped']);
  });

  it('counts 25 failures', () => {
    const root = parseXml(renderJunitXml(manyFailures()));
    expect(root.attributes).toMatchObject({ tests: '37', failures: '25' });
    expect(root.children).toHaveLength(1);
  });

  it('is a well-formed empty report when nothing ran', () => {
    const report: Report = { ...skippedTriggerOnly(), results: [] };
    const root = parseXml(renderJunitXml(report));
    expect(root.attributes.tests).toBe('0');
    expect(root.children).toEqual([]);
  });

  it('escapes a hostile commit header everywhere and drops illegal characters', () => {
    const xml = renderJunitXml(hostileCommit());
    expect(xml).not.toContain('<script>');
    // eslint-disable-next-line no-control-regex
    expect(xml).not.toMatch(/[\u0001\u001b]/);
    const [failure] = findCase(xml, 'trigger.release').children;
    // Round trip: a parser gets the original text back, minus what XML cannot carry.
    expect(failure?.attributes.message).toBe(
      'Rejected feat(api): speed up | <script>alert(1)</script> \n**bold** & more[2J',
    );
    expect(failure?.text).toContain('Expected: a <valid> header');
  });
});

describe('XML escaping', () => {
  it('escapes markup and drops characters outside XML 1.0', () => {
    expect(escapeXmlText('a < b && c > d')).toBe('a &lt; b &amp;&amp; c &gt; d');
    expect(escapeXmlText('bell\u0007 vt\u000b ok\ttab\nline')).toBe('bell vt ok\ttab\nline');
    expect(escapeXmlText('lone \ud800 surrogate, pair 😀, \uffff')).toBe('lone  surrogate, pair 😀, ');
  });

  it('escapes quotes and keeps whitespace in attributes', () => {
    expect(escapeXmlAttribute(`say "hi" & 'bye'\n\tnext`)).toBe('say &quot;hi&quot; &amp; &apos;bye&apos;&#10;&#9;next');
  });
});
