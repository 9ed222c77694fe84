/**
 * Safe HTML for notebook markdown cells and `text/markdown` outputs, rendered by the npm package
 * `markdown-it` (CommonMark with GFM tables and strikethrough). Safety: raw HTML in the Markdown is
 * escaped (`html: false`), and link and image targets other than http(s), mailto, PNG/JPEG/GIF/WebP
 * data images, relative paths and `#anchors` are not made into links ({@linkcode safeUrl}).
 *
 * Two small additions, as Jupyter shows Markdown: headings carry an id (`## Part 1` → `id="part-1"`),
 * and math (`$…$`, `$$…$$`, and `$$` blocks) is kept as text in `<span class="math">` and
 * `<div class="math">` (no TeX typesetting), so `$a_1$` does not turn into emphasis.
 * @module
 */
import MarkdownIt, { type StateBlock, type StateInline } from "markdown-it";

/** Whether `url` is safe as a link or image target. */
export function safeUrl(url: string): boolean {
  const trimmed = url.trim();
  if (/^(https?:|mailto:)/i.test(trimmed)) return true;
  if (/^data:image\/(png|jpeg|gif|webp);base64,[a-z0-9+/=]+$/i.test(trimmed)) return true;
  // No scheme at all: a relative path or an anchor.
  return !/^[a-z][a-z0-9+.-]*:/i.test(trimmed) && !trimmed.startsWith("//");
}

const DOLLAR = 0x24;

/** Inline math: `$$…$$`, or `$…$` whose content neither starts nor ends with a space (so `$5` stays text). */
function mathInline(state: StateInline, silent: boolean): boolean {
  const { src, pos, posMax } = state;
  if (src.charCodeAt(pos) !== DOLLAR) return false;
  const display = src.charCodeAt(pos + 1) === DOLLAR;
  const marker = display ? "$$" : "$";
  const start = pos + marker.length;
  const end = src.indexOf(marker, start);
  if (end < 0 || end + marker.length > posMax || end === start) return false;
  if (!display && (/\s/.test(src[start]) || /\s/.test(src[end - 1]) || /\d/.test(src[end + 1] ?? ""))) {
    return false;
  }
  if (!silent) {
    const token = state.push("math_inline", "span", 0);
    token.content = src.slice(start, end);
    token.markup = marker;
  }
  state.pos = end + marker.length;
  return true;
}

/** A math block: lines between two lines that hold only `$$`. */
function mathBlock(state: StateBlock, startLine: number, endLine: number, silent: boolean): boolean {
  const line = (n: number) => state.src.slice(state.bMarks[n] + state.tShift[n], state.eMarks[n]);
  if (state.sCount[startLine] - state.blkIndent >= 4 || line(startLine).trim() !== "$$") return false;
  if (silent) return true;
  let close = startLine + 1;
  while (close < endLine && line(close).trim() !== "$$") close++;
  const body: string[] = [];
  for (let n = startLine + 1; n < close; n++) body.push(state.src.slice(state.bMarks[n], state.eMarks[n]));
  const token = state.push("math_block", "div", 0);
  token.content = body.join("\n");
  token.markup = "$$";
  token.map = [startLine, Math.min(close + 1, endLine)];
  state.line = Math.min(close + 1, endLine);
  return true;
}

/** An id from a heading's Markdown source: lower case, word characters and dashes, spaces as dashes. */
function headingId(source: string): string {
  return source.toLowerCase().replace(/[^\w\s-]/g, "").trim().replace(/\s+/g, "-");
}

function createRenderer(): ReturnType<typeof MarkdownIt> {
  const md = new MarkdownIt({ html: false, linkify: false, typographer: false });
  md.validateLink = safeUrl;
  md.inline.ruler.after("escape", "math_inline", mathInline);
  md.block.ruler.before("fence", "math_block", mathBlock, {
    alt: ["paragraph", "reference", "blockquote", "list"],
  });
  md.renderer.rules.math_inline = (tokens, index) =>
    `<span class="math">${md.utils.escapeHtml(tokens[index].content)}</span>`;
  md.renderer.rules.math_block = (tokens, index) =>
    `<div class="math">${md.utils.escapeHtml(tokens[index].content)}</div>\n`;
  md.core.ruler.push("heading_ids", (state) => {
    state.tokens.forEach((token, index) => {
      if (token.type === "heading_open") token.attrSet("id", headingId(state.tokens[index + 1].content));
    });
  });
  return md;
}

const renderer = createRenderer();

/** Renders Markdown to safe HTML (see the module doc). */
export function renderMarkdown(markdown: string): string {
  return renderer.render(markdown);
}

/** Renders one paragraph's inline Markdown (code, math, links, images, emphasis) to safe HTML. */
export function renderInline(text: string): string {
  return renderer.renderInline(text);
}
