/**
 * The Jupyter notebook file format (nbformat 4): types, reading, writing, and turning kernel messages
 * into cell outputs.
 * @module
 */
import { InputError } from "../errors.ts";
import { writeFileAtomic } from "../io/atomic.ts";

/** Text stored either as one string or as a list of lines (each ending with `\n` except the last). */
export type MultilineString = string | string[];

/** A MIME bundle: MIME type → data (text as a string or list of lines, JSON as an object). */
export type MimeBundle = Record<string, unknown>;

/** One output of a code cell. */
export type CellOutput =
  | { output_type: "stream"; name: "stdout" | "stderr"; text: MultilineString }
  | { output_type: "display_data"; data: MimeBundle; metadata: Record<string, unknown> }
  | {
    output_type: "execute_result";
    execution_count: number | null;
    data: MimeBundle;
    metadata: Record<string, unknown>;
  }
  | { output_type: "error"; ename: string; evalue: string; traceback: string[] };

/** A notebook cell. */
export interface Cell {
  /** `code`, `markdown` or `raw`. */
  cell_type: "code" | "markdown" | "raw";
  /** Cell id (required from nbformat 4.5). */
  id?: string;
  /** Cell metadata. */
  metadata: Record<string, unknown>;
  /** The source text. */
  source: MultilineString;
  /** Outputs (code cells only). */
  outputs?: CellOutput[];
  /** Execution count (code cells only). */
  execution_count?: number | null;
  /** Attachments (markdown and raw cells). */
  attachments?: Record<string, MimeBundle>;
}

/** A notebook (nbformat 4). */
export interface Notebook {
  /** Always 4. */
  nbformat: number;
  /** Minor version. */
  nbformat_minor: number;
  /** Notebook metadata (`kernelspec`, `language_info`, `latentlab`, …). */
  metadata: Record<string, unknown>;
  /** The cells. */
  cells: Cell[];
}

/** Joins a {@linkcode MultilineString} into one string. */
export function joinText(text: MultilineString | undefined): string {
  if (text === undefined) return "";
  return Array.isArray(text) ? text.join("") : text;
}

/** Splits text into Jupyter's list-of-lines form (every line but the last keeps its `\n`). */
export function splitLines(text: string): string[] {
  const lines = text.split(/(?<=\n)/);
  return lines.length === 1 && lines[0] === "" ? [] : lines;
}

/** Parses notebook JSON; throws an {@linkcode InputError} naming `name` when it is not an nbformat 4 notebook. */
export function parseNotebook(json: string, name = "notebook"): Notebook {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new InputError(`${name}: not valid JSON (${(error as Error).message})`);
  }
  const notebook = value as Notebook;
  if (
    typeof notebook !== "object" || notebook === null || notebook.nbformat !== 4 ||
    !Array.isArray(notebook.cells)
  ) {
    throw new InputError(`${name}: not an nbformat 4 notebook`);
  }
  notebook.metadata ??= {};
  for (const cell of notebook.cells) cell.metadata ??= {};
  return notebook;
}

/** Reads a notebook file. */
export async function readNotebook(path: string): Promise<Notebook> {
  let json: string;
  try {
    json = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) throw new InputError(`${path}: no such notebook`);
    throw error;
  }
  return parseNotebook(json, path);
}

/** Serialises a notebook the way Jupyter does (one-space indent, trailing newline). */
export function serializeNotebook(notebook: Notebook): string {
  return JSON.stringify(notebook, null, 1) + "\n";
}

/** Writes a notebook atomically. */
export async function writeNotebook(path: string, notebook: Notebook): Promise<void> {
  await writeFileAtomic(path, serializeNotebook(notebook));
}

const ID_PATTERN = /^[a-zA-Z0-9-_]{1,64}$/;

/**
 * Returns a deep copy of `notebook` upgraded to nbformat 4.5: every cell gets a valid unique id, and code
 * cells get empty outputs and a null execution count.
 */
export function cleanCopy(notebook: Notebook): Notebook {
  const copy = structuredClone(notebook) as Notebook;
  copy.nbformat = 4;
  copy.nbformat_minor = Math.max(5, copy.nbformat_minor ?? 0);
  const seen = new Set<string>();
  copy.cells.forEach((cell, index) => {
    if (!cell.id || !ID_PATTERN.test(cell.id) || seen.has(cell.id)) {
      let id = `cell-${index}`;
      while (seen.has(id)) id += "-x";
      cell.id = id;
    }
    seen.add(cell.id);
    if (cell.cell_type === "code") {
      cell.outputs = [];
      cell.execution_count = null;
    }
  });
  return copy;
}

function toLines(value: unknown): unknown {
  return typeof value === "string" ? splitLines(value) : value;
}

/** Converts a MIME bundle from a kernel message into nbformat form (text as lists of lines). */
export function bundleForNotebook(data: MimeBundle): MimeBundle {
  const out: MimeBundle = {};
  for (const [mime, value] of Object.entries(data)) {
    const isText = mime.startsWith("text/") || mime === "image/svg+xml" || mime === "application/javascript";
    out[mime] = isText ? toLines(value) : value;
  }
  return out;
}

/** Appends a stream output to `outputs`, merging it with the previous output of the same stream. */
export function appendStream(outputs: CellOutput[], name: "stdout" | "stderr", text: string): void {
  const last = outputs.at(-1);
  if (last && last.output_type === "stream" && last.name === name) {
    last.text = splitLines(joinText(last.text) + text);
  } else {
    outputs.push({ output_type: "stream", name, text: splitLines(text) });
  }
}
