import assert from "node:assert/strict";
import { renderInline, renderMarkdown, safeUrl } from "../../lib/notebook/markdown.ts";

Deno.test("markdown: headings, paragraphs, emphasis, code, links", () => {
  const html = renderMarkdown(
    "# Title *x*\n\nSome **bold**, _em_ and `a < b` with a [link](https://e.org/a?b=1&c=2).",
  );
  assert.equal(
    html,
    '<h1 id="title-x">Title <em>x</em></h1>\n<p>Some <strong>bold</strong>, <em>em</em> and <code>a &lt; b</code> with a ' +
      '<a href="https://e.org/a?b=1&amp;c=2">link</a>.</p>',
  );
});

Deno.test("markdown: lists, nested lists and ordered lists stay apart", () => {
  const html = renderMarkdown("- one\n- two\n  - nested\n- three\n\n1. first\n2. second");
  assert.equal(
    html,
    "<ul><li>one</li><li>two<ul><li>nested</li></ul></li><li>three</li></ul>\n<ol><li>first</li><li>second</li></ol>",
  );
});

Deno.test("markdown: a wrapped list item stays one paragraph", () => {
  assert.equal(
    renderMarkdown("1. first line\n   continues\n2. next"),
    "<ol><li>first line\ncontinues</li><li>next</li></ol>",
  );
});

Deno.test("markdown: tables with alignment and pipes in code", () => {
  const html = renderMarkdown("| a | b |\n|:--|--:|\n| `x|y` | **2** |");
  assert.equal(
    html,
    '<table><thead><tr><th style="text-align:left">a</th><th style="text-align:right">b</th></tr></thead>' +
      '<tbody><tr><td style="text-align:left"><code>x|y</code></td><td style="text-align:right"><strong>2</strong></td></tr></tbody></table>',
  );
});

Deno.test("markdown: fenced code, quotes, rules and math as text", () => {
  assert.equal(
    renderMarkdown("```ts\nconst a = 1 < 2;\n```"),
    '<pre><code class="language-ts">const a = 1 &lt; 2;</code></pre>',
  );
  assert.equal(renderMarkdown("> quoted"), "<blockquote><p>quoted</p></blockquote>");
  assert.equal(renderMarkdown("---"), "<hr>");
  assert.equal(
    renderInline("area $\\pi r^2 < x$ costs $5"),
    'area <span class="math">\\pi r^2 &lt; x</span> costs $5',
  );
  assert.equal(renderMarkdown("$$\na_1 + b\n$$"), '<div class="math">a_1 + b</div>');
});

Deno.test("markdown is safe: raw HTML escaped, script links dropped", () => {
  const html = renderMarkdown(
    '<script>alert(1)</script> <img src=x onerror="alert(1)"> [x](javascript:alert) [y](data:text/html,hi)',
  );
  assert.ok(!html.includes("<script"));
  assert.ok(!html.includes("<img"));
  assert.ok(!html.includes("javascript:"));
  assert.ok(!html.includes('href="data:'));
  assert.equal(safeUrl("../results/a.csv"), true);
  assert.equal(safeUrl("#section"), true);
  assert.equal(safeUrl("JavaScript:alert(1)"), false);
  assert.equal(safeUrl("//evil.example"), false);
});
