/**
 * A small, safe Markdown renderer for notebook markdown cells: headings, paragraphs, nested lists,
 * fenced and indented code, block quotes, rules, GFM tables, emphasis, inline code, links and images,
 * and math (`$…$`, `$$…$$`) shown as text. All input HTML is escaped; link targets other than http(s),
 * mailto, relative paths and `#anchors` are dropped.
 * @module
 */
import { escapeHtml } from "../report/display.ts";

/** Whether `url` is safe as a link or image target. */
export function safeUrl(url: string): boolean {
  const trimmed = url.trim();
  if (/^(https?:|mailto:)/i.test(trimmed)) return true;
  if (/^data:image\/(png|jpeg|gif|webp);base64,[a-z0-9+/=]+$/i.test(trimmed)) return true;
  // No scheme at all: a relative path or an anchor.
  return !/^[a-z][a-z0-9+.-]*:/i.test(trimmed) && !trimmed.startsWith("//");
}

/** Renders inline Markdown (code, math, links, images, emphasis) of one block to HTML. */
export function renderInline(text: string): string {
  const stash: string[] = [];
  const keep = (html: string) => `\u0000${stash.push(html) - 1}\u0000`;
  let s = text;
  // Code spans and math first: their content is literal.
  s = s.replace(
    /(`+)([\s\S]*?[^`])\1(?!`)/g,
    (_, _ticks, code: string) => keep(`<code>${escapeHtml(code.trim())}</code>`),
  );
  s = s.replace(
    /\$\$([^$]+)\$\$/g,
    (_, math: string) => keep(`<span class="math">${escapeHtml(math)}</span>`),
  );
  s = s.replace(
    /(^|[^\\$])\$([^\s$](?:[^$]*[^\s$])?)\$(?!\d)/g,
    (_, before: string, math: string) => before + keep(`<span class="math">${escapeHtml(math)}</span>`),
  );
  s = s.replace(/\\([\\`*_{}\[\]()#+\-.!|$<>])/g, (_, char: string) => keep(escapeHtml(char)));
  s = s.replace(
    /!\[([^\]]*)\]\(([^)\s]+)(?:\s+"([^"]*)")?\)/g,
    (whole, alt: string, url: string, title?: string) =>
      safeUrl(url)
        ? keep(
          `<img src="${escapeHtml(url)}" alt="${escapeHtml(alt)}"${
            title ? ` title="${escapeHtml(title)}"` : ""
          }>`,
        )
        : keep(escapeHtml(whole)),
  );
  s = s.replace(
    /\[([^\]]+)\]\(([^)\s]+)(?:\s+"([^"]*)")?\)/g,
    (_, label: string, url: string, title?: string) => {
      const inner = renderInline(label);
      return safeUrl(url)
        ? keep(`<a href="${escapeHtml(url)}"${title ? ` title="${escapeHtml(title)}"` : ""}>${inner}</a>`)
        : keep(inner);
    },
  );
  s = s.replace(
    /<(https?:\/\/[^\s>]+)>/g,
    (_, url: string) => keep(`<a href="${escapeHtml(url)}">${escapeHtml(url)}</a>`),
  );
  s = escapeHtml(s);
  s = s.replace(/(\*\*|__)(?=\S)([\s\S]*?\S)\1/g, "<strong>$2</strong>");
  s = s.replace(/(^|[^\w*])\*(?=\S)([\s\S]*?\S)\*(?!\*)/g, "$1<em>$2</em>");
  s = s.replace(/(^|[^\w_])_(?=\S)([\s\S]*?\S)_(?![\w_])/g, "$1<em>$2</em>");
  s = s.replace(/~~(?=\S)([\s\S]*?\S)~~/g, "<del>$1</del>");
  s = s.replace(/ {2,}\n/g, "<br>\n");
  // deno-lint-ignore no-control-regex
  return s.replace(/\u0000(\d+)\u0000/g, (_, i: string) => stash[Number(i)]);
}

function splitRow(line: string): string[] {
  let row = line.trim();
  if (row.startsWith("|")) row = row.slice(1);
  if (row.endsWith("|") && !row.endsWith("\\|")) row = row.slice(0, -1);
  const cells: string[] = [];
  let current = "";
  let inCode = false;
  for (let i = 0; i < row.length; i++) {
    const char = row[i];
    if (char === "\\" && row[i + 1] === "|") {
      current += "|";
      i++;
    } else if (char === "`") {
      inCode = !inCode;
      current += char;
    } else if (char === "|" && !inCode) {
      cells.push(current.trim());
      current = "";
    } else {
      current += char;
    }
  }
  cells.push(current.trim());
  return cells;
}

const TABLE_RULE = /^\s*\|?\s*:?-{1,}:?\s*(\|\s*:?-{1,}:?\s*)*\|?\s*$/;
const LIST_ITEM = /^(\s*)([-*+]|\d{1,9}[.)])\s+(.*)$/;
const FENCE = /^\s*(```+|~~~+)\s*([\w+-]*)/;

function renderTable(lines: string[]): string {
  const header = splitRow(lines[0]);
  const aligns = splitRow(lines[1]).map((cell) =>
    cell.startsWith(":") && cell.endsWith(":")
      ? "center"
      : cell.endsWith(":")
      ? "right"
      : cell.startsWith(":")
      ? "left"
      : ""
  );
  const cell = (tag: string, text: string, i: number) =>
    `<${tag}${aligns[i] ? ` style="text-align:${aligns[i]}"` : ""}>${renderInline(text)}</${tag}>`;
  const body = lines.slice(2).map((line) => {
    const cells = splitRow(line);
    return `<tr>${header.map((_, i) => cell("td", cells[i] ?? "", i)).join("")}</tr>`;
  });
  return `<table><thead><tr>${header.map((text, i) => cell("th", text, i)).join("")}</tr></thead>` +
    `<tbody>${body.join("")}</tbody></table>`;
}

function renderList(lines: string[]): string {
  // lines: the list's lines (items and their continuation lines).
  const first = LIST_ITEM.exec(lines[0])!;
  const baseIndent = first[1].length;
  const ordered = /\d/.test(first[2]);
  const items: string[][] = [];
  for (const line of lines) {
    const match = LIST_ITEM.exec(line);
    if (match && match[1].length <= baseIndent + 1) items.push([match[3]]);
    else items.at(-1)!.push(line.slice(Math.min(line.length - line.trimStart().length, baseIndent + 2)));
  }
  const start = ordered ? parseInt(first[2], 10) : 1;
  const tag = ordered ? "ol" : "ul";
  const html = items.map((item) => {
    let [head, ...rest] = item;
    // Lazy continuation: lines right after the item text (before a blank line or a nested item) join it.
    while (rest.length > 0 && rest[0].trim() !== "" && !LIST_ITEM.test(rest[0]) && !FENCE.test(rest[0])) {
      head += "\n" + rest.shift()!.trim();
    }
    const nested = rest.some((line) => line.trim() !== "") ? renderBlocks(rest) : "";
    return `<li>${renderInline(head)}${nested}</li>`;
  });
  return `<${tag}${ordered && start !== 1 ? ` start="${start}"` : ""}>${html.join("")}</${tag}>`;
}

function renderBlocks(lines: string[]): string {
  const out: string[] = [];
  let i = 0;
  const isBlank = (line: string | undefined) => line === undefined || line.trim() === "";
  while (i < lines.length) {
    const line = lines[i];
    if (isBlank(line)) {
      i++;
      continue;
    }
    const fence = FENCE.exec(line);
    if (fence) {
      const marker = fence[1];
      const body: string[] = [];
      i++;
      while (i < lines.length && !lines[i].trim().startsWith(marker)) body.push(lines[i++]);
      i++;
      const language = fence[2] ? ` class="language-${escapeHtml(fence[2])}"` : "";
      out.push(`<pre><code${language}>${escapeHtml(body.join("\n"))}</code></pre>`);
      continue;
    }
    if (line.trim() === "$$") {
      const body: string[] = [];
      i++;
      while (i < lines.length && lines[i].trim() !== "$$") body.push(lines[i++]);
      i++;
      out.push(`<div class="math">${escapeHtml(body.join("\n"))}</div>`);
      continue;
    }
    const heading = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      const level = heading[1].length;
      const id = heading[2].toLowerCase().replace(/[^\w\s-]/g, "").trim().replace(/\s+/g, "-");
      out.push(`<h${level} id="${escapeHtml(id)}">${renderInline(heading[2])}</h${level}>`);
      i++;
      continue;
    }
    if (/^\s{0,3}([-*_])(\s*\1){2,}\s*$/.test(line)) {
      out.push("<hr>");
      i++;
      continue;
    }
    if (/^\s{0,3}>/.test(line)) {
      const body: string[] = [];
      while (i < lines.length && !isBlank(lines[i])) body.push(lines[i++].replace(/^\s{0,3}>\s?/, ""));
      out.push(`<blockquote>${renderBlocks(body)}</blockquote>`);
      continue;
    }
    if (line.includes("|") && TABLE_RULE.test(lines[i + 1] ?? "") && lines[i + 1].includes("-")) {
      const body = [line, lines[i + 1]];
      i += 2;
      while (i < lines.length && !isBlank(lines[i]) && lines[i].includes("|")) body.push(lines[i++]);
      out.push(renderTable(body));
      continue;
    }
    if (LIST_ITEM.test(line)) {
      const body: string[] = [];
      const indent = LIST_ITEM.exec(line)![1].length;
      const ordered = /\d/.test(LIST_ITEM.exec(line)![2]);
      while (i < lines.length) {
        const current = lines[i];
        if (isBlank(current)) {
          // A blank line continues the list only when the next line is an item or indented.
          const next = lines[i + 1];
          if (next !== undefined && (LIST_ITEM.test(next) || /^\s{2,}\S/.test(next))) {
            body.push(current);
            i++;
            continue;
          }
          break;
        }
        const indentOf = current.length - current.trimStart().length;
        const item = LIST_ITEM.exec(current);
        if (body.length > 0 && item && item[1].length <= indent && /\d/.test(item[2]) !== ordered) break;
        if (body.length > 0 && !LIST_ITEM.test(current) && indentOf <= indent && isBlank(lines[i - 1])) break;
        body.push(current);
        i++;
      }
      out.push(renderList(body));
      continue;
    }
    if (/^( {4}|\t)/.test(line)) {
      const body: string[] = [];
      while (i < lines.length && (/^( {4}|\t)/.test(lines[i]) || isBlank(lines[i]))) {
        body.push(lines[i++].replace(/^( {4}|\t)/, ""));
      }
      while (body.length > 0 && body.at(-1)!.trim() === "") body.pop();
      out.push(`<pre><code>${escapeHtml(body.join("\n"))}</code></pre>`);
      continue;
    }
    const paragraph: string[] = [];
    while (
      i < lines.length && !isBlank(lines[i]) && !FENCE.test(lines[i]) && !/^\s{0,3}#{1,6}\s/.test(lines[i]) &&
      !/^\s{0,3}>/.test(lines[i]) &&
      !(paragraph.length > 0 && LIST_ITEM.test(lines[i]) && !/^\s*\d/.test(lines[i]))
    ) {
      paragraph.push(lines[i++]);
    }
    out.push(`<p>${renderInline(paragraph.join("\n"))}</p>`);
  }
  return out.join("\n");
}

/** Renders Markdown to safe HTML. */
export function renderMarkdown(markdown: string): string {
  return renderBlocks(markdown.replace(/\r\n?/g, "\n").split("\n"));
}
