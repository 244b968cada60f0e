/**
 * Every configuration the documentation shows validates clean: the demo files, and each YAML
 * code block of the README and docs/ that is a model-release.yml (or a top-level part of one).
 * Workflow and CI files (examples/, the blocks with `jobs:`, `include:`...) are not configs.
 * A block that adds keys to a section shown in full earlier (`data: { engine: ... }`) is
 * checked as that section with its keys added.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse, stringify } from 'yaml';
import { formatConfigError, parseConfigText } from '../../src/config/load.js';
import { configSchema } from '../../src/config/schema.js';

const root = join(import.meta.dirname, '..', '..');
const SECTIONS = new Set(Object.keys(configSchema.properties));

function filesUnder(dir: string, keep: (name: string) => boolean): string[] {
  return readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter(keep)
    .map((name) => join(dir, name))
    .sort();
}

interface Block {
  where: string;
  text: string;
  /** The same block with each section merged over the last earlier block of that file that has it. */
  completed?: string;
}

/** The ```yaml blocks of a Markdown file, with the line each starts at. */
function yamlBlocks(file: string): Block[] {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  const blocks: Block[] = [];
  const sections: Record<string, Record<string, unknown>> = {};
  let start: number | undefined;
  lines.forEach((line, index) => {
    if (start === undefined && /^```ya?ml\s*$/.test(line)) start = index + 1;
    else if (start !== undefined && /^```\s*$/.test(line)) {
      const text = lines.slice(start, index).join('\n');
      const block: Block = { where: `${file}:${start + 1}`, text };
      if (isConfig(text)) {
        const parsed = (parse(text) ?? {}) as Record<string, Record<string, unknown>>;
        block.completed = stringify(Object.fromEntries(Object.entries(parsed).map(([key, value]) => [key, { ...sections[key], ...value }])));
        Object.assign(sections, parsed);
      }
      blocks.push(block);
      start = undefined;
    }
  });
  return blocks;
}

/** A block is a config when each of its top-level keys is a section of the schema. */
function isConfig(text: string): boolean {
  const keys = [...text.matchAll(/^([a-z][\w-]*):/gm)].map((m) => m[1] ?? '');
  return keys.length > 0 && keys.every((key) => SECTIONS.has(key));
}

const markdown = ['README.md', ...filesUnder('docs', (name) => name.endsWith('.md'))];
const blocks = markdown.flatMap(yamlBlocks).filter((block) => isConfig(block.text));
const demoFiles = filesUnder('demo', (name) => /\.ya?ml$/.test(name)).map((file) => ({ where: file, text: readFileSync(join(root, file), 'utf8') }));

describe('the documented configurations', () => {
  it('are found (README, docs/, demo/)', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(12);
    expect(demoFiles.map((f) => relative('demo', f.where))).toEqual(expect.arrayContaining(['model-release.yml', 'compare.yml']));
    // A workflow block is not mistaken for a config.
    expect(isConfig('name: release\non:\n  push: {}\njobs: {}\n')).toBe(false);
  });

  it.each([...blocks, ...demoFiles].map((b) => [b.where, b as Block]))('%s validates clean', (where, block) => {
    const alone = parseConfigText(block.text, where);
    const onlyIncomplete = !alone.ok && alone.errors.every((e) => /^missing required key/.test(e.message) && !e.path.includes('.'));
    const result = onlyIncomplete && block.completed !== undefined ? parseConfigText(block.completed, `${where} (with the section shown earlier)`) : alone;
    expect(result.ok ? [] : result.errors.map(formatConfigError)).toEqual([]);
  });
});
