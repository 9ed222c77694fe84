import assert from "node:assert/strict";
import { renderInline, renderMarkdown, safeUrl } from "../../lib/notebook/markdown.ts";

Deno.test("markdown: headings with ids, paragraphs, emphasis, code, links", () => {
  const html = renderMarkdown(
    "# Title *x*\n\nSome **bold**, _em_ and `a < b` with a [link](https://e.org/a?b=1&c=2).",
  );
  assert.equal(
    html,
    '<h1 id="title-x">Title <em>x</em></h1>\n<p>Some <strong>bold</strong>, <em>em</em> and <code>a &lt; b</code> with a ' +
      '<a href="https://e.org/a?b=1&amp;c=2">link</a>.</p>\n',
  );
  assert.match(renderMarkdown("## Part <1>"), /^<h2 id="part-1">Part &lt;1&gt;<\/h2>/);
});

Deno.test("markdown: lists, nested lists and ordered lists stay apart", () => {
  const html = renderMarkdown("- one\n- two\n  - nested\n- three\n\n1. first\n2. second");
  assert.equal(
    html.replaceAll("\n", ""),
    "<ul><li>one</li><li>two<ul><li>nested</li></ul></li><li>three</li></ul><ol><li>first</li><li>second</li></ol>",
  );
});

Deno.test("markdown: a wrapped list item stays one paragraph", () => {
  assert.equal(
    renderMarkdown("1. first line\n   continues\n2. next"),
    "<ol>\n<li>first line\ncontinues</li>\n<li>next</li>\n</ol>\n",
  );
});

Deno.test("markdown: GFM tables with alignment and an escaped pipe in code", () => {
  const html = renderMarkdown("| a | b |\n|:--|--:|\n| `x\\|y` | **2** |");
  assert.equal(
    html.replaceAll("\n", ""),
    '<table><thead><tr><th style="text-align:left">a</th><th style="text-align:right">b</th></tr></thead>' +
      '<tbody><tr><td style="text-align:left"><code>x|y</code></td><td style="text-align:right"><strong>2</strong></td></tr></tbody></table>',
  );
});

Deno.test("markdown: fenced code, quotes, rules and math as text", () => {
  assert.equal(
    renderMarkdown("```ts\nconst a = 1 < 2;\n```"),
    '<pre><code class="language-ts">const a = 1 &lt; 2;\n</code></pre>\n',
  );
  assert.equal(renderMarkdown("> quoted"), "<blockquote>\n<p>quoted</p>\n</blockquote>\n");
  assert.equal(renderMarkdown("---"), "<hr>\n");
  assert.equal(
    renderInline("area $\\pi r^2 < x$ costs $5"),
    'area <span class="math">\\pi r^2 &lt; x</span> costs $5',
  );
  assert.equal(
    renderInline("$a_1$ and \\$ and $$x$$"),
    '<span class="math">a_1</span> and $ and <span class="math">x</span>',
  );
  assert.equal(renderMarkdown("$$\na_1 + b\n$$"), '<div class="math">a_1 + b</div>\n');
});

Deno.test("markdown is safe: raw HTML escaped, unsafe targets are not links", () => {
  const html = renderMarkdown(
    '<script>alert(1)</script> <img src=x onerror="alert(1)"> [x](javascript:alert) [y](data:text/html,hi) ' +
      "[z](//evil.example) [r](../results/a.csv) ![i](data:image/png;base64,iVBOR)",
  );
  assert.ok(!html.includes("<script"));
  assert.ok(!html.includes("<img src=x"));
  assert.ok(!/href="(javascript:|data:|\/\/)/i.test(html));
  assert.ok(html.includes('<a href="../results/a.csv">r</a>'));
  assert.ok(html.includes('<img src="data:image/png;base64,iVBOR" alt="i">'));
  assert.equal(safeUrl("../results/a.csv"), true);
  assert.equal(safeUrl("#section"), true);
  assert.equal(safeUrl("JavaScript:alert(1)"), false);
  assert.equal(safeUrl("//evil.example"), false);
});
