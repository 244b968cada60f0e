/**
 * The job summary as a reviewer sees it, for the browser tests: the summary markdown rendered
 * by `marked` (GitHub-flavoured), with a little of GitHub's markdown styling, and its mermaid
 * blocks turned into the `<pre class="mermaid">` elements mermaid renders. Mermaid itself is
 * loaded from node_modules by the test (page.addScriptTag), never from the network.
 */
import { fileURLToPath } from 'node:url';
import { marked } from 'marked';

/** Mermaid's browser bundle, as installed. */
export const MERMAID_SCRIPT = fileURLToPath(new URL('../../node_modules/mermaid/dist/mermaid.min.js', import.meta.url));

const STYLE = `
  body { margin: 0; background: #fff; color: #1f2328; font: 14px/1.5 "DejaVu Sans", "Liberation Sans", Arial, sans-serif; }
  main { box-sizing: border-box; width: 1012px; padding: 24px 32px; }
  h2 { font-size: 1.5em; border-bottom: 1px solid #d1d9e0; padding-bottom: .3em; margin: 0 0 16px; }
  h3 { font-size: 1.25em; margin: 24px 0 12px; } h4 { font-size: 1em; margin: 16px 0 8px; }
  table { border-collapse: collapse; margin: 0 0 16px; display: block; overflow: auto; }
  th, td { border: 1px solid #d1d9e0; padding: 6px 13px; } th { font-weight: 600; } tr:nth-child(2n) { background: #f6f8fa; }
  pre.mermaid { background: none; text-align: center; margin: 0 0 8px; }
  details { margin: 0 0 16px; } sub { color: #59636e; }
`;

/** A standalone HTML page of the summary; mermaid blocks are `<pre class="mermaid">` with the diagram text. */
export function summaryPage(markdown: string): string {
  const body = (marked.parse(markdown, { gfm: true, async: false }) as string).replace(
    /<pre><code class="language-mermaid">([\s\S]*?)<\/code><\/pre>/g,
    (_, code: string) => `<pre class="mermaid">${code}</pre>`,
  );
  return `<!doctype html><html><head><meta charset="utf-8"><style>${STYLE}</style></head><body><main>${body}</main></body></html>`;
}
