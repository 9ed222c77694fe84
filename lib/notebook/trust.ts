/**
 * Jupyter's notebook trust, as nbformat's `NotebookNotary` implements it: a notebook is trusted (its
 * outputs' HTML and scripts run when it is opened) when the HMAC-SHA256 of its content, keyed with the
 * user's secret (`notebook_secret` in the Jupyter data folder), is stored in `nbsignatures.db` there.
 * Notebooks executed headless by the user's own `deno task notebooks` are signed like the ones Jupyter
 * saves after running them, so their figures draw when opened in Jupyter on the same machine.
 *
 * The digest covers the notebook as nbformat reads it back: multi-line strings joined, the transient
 * `metadata.signature`, `orig_nbformat*` and cells' `metadata.trusted` left out, dictionary keys sorted,
 * strings as UTF-8 and other values as Python's `str()` writes them.
 * @module
 */
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { type Notebook, serializeNotebook } from "./ipynb.ts";
import { userJupyterDataDir } from "./kernelspec.ts";

/** Options for {@linkcode signNotebook} and {@linkcode isNotebookTrusted}. */
export interface NotaryOptions {
  /** Jupyter data folder holding `notebook_secret` and `nbsignatures.db`. Default {@linkcode userJupyterDataDir}. */
  dataDir?: string;
}

const encoder = new TextEncoder();

/** Python's `repr` of a float (what `str()` gives) for a finite, non-integral or huge number. */
function pythonFloat(value: number): string {
  if (Number.isNaN(value)) return "nan";
  if (!Number.isFinite(value)) return value > 0 ? "inf" : "-inf";
  const [mantissa, exponentText] = value.toExponential().split("e");
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 16) {
    const sign = exponent < 0 ? "-" : "+";
    return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, "0")}`;
  }
  const text = String(value);
  return /[.e]/.test(text) ? text : `${text}.0`;
}

/**
 * Python's `str()` of a JSON number as `json.loads` reads the text `JSON.stringify` wrote: integral
 * values below 1e21 are written as integers (Python `int`), the rest as floats.
 */
function pythonNumber(value: number): string {
  const written = JSON.stringify(value);
  return /^-?\d+$/.test(written) ? written : pythonFloat(value);
}

function comparePython(a: string, b: string): number {
  // Python sorts str by code point; JavaScript's default sort compares UTF-16 units.
  const x = [...a].map((c) => c.codePointAt(0)!);
  const y = [...b].map((c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

/** Feeds every item of a JSON value to `update` as nbformat's `yield_everything` does. */
function everything(value: unknown, update: (bytes: Uint8Array) => void): void {
  if (Array.isArray(value)) {
    for (const item of value) everything(item, update);
  } else if (value !== null && typeof value === "object") {
    for (const key of Object.keys(value).sort(comparePython)) {
      update(encoder.encode(key));
      everything((value as Record<string, unknown>)[key], update);
    }
  } else if (typeof value === "string") update(encoder.encode(value));
  else if (typeof value === "number") update(encoder.encode(pythonNumber(value)));
  else if (typeof value === "boolean") update(encoder.encode(value ? "True" : "False"));
  else update(encoder.encode("None"));
}

function isJsonMime(mime: string): boolean {
  return mime === "application/json" || (mime.startsWith("application/") && mime.endsWith("+json"));
}

function rejoinBundle(bundle: Record<string, unknown>): void {
  for (const [mime, value] of Object.entries(bundle)) {
    if (!isJsonMime(mime) && Array.isArray(value) && value.every((line) => typeof line === "string")) {
      bundle[mime] = value.join("");
    }
  }
}

/** The notebook as nbformat's reader returns it (a copy): lines joined, transient keys removed. */
function asNbformatReads(notebook: Notebook): Record<string, unknown> {
  const nb = JSON.parse(serializeNotebook(notebook));
  for (const cell of nb.cells ?? []) {
    if (Array.isArray(cell.source)) cell.source = cell.source.join("");
    for (const attachment of Object.values(cell.attachments ?? {})) {
      rejoinBundle(attachment as Record<string, unknown>);
    }
    if (cell.cell_type === "code") {
      for (const output of cell.outputs ?? []) {
        if (output.output_type === "execute_result" || output.output_type === "display_data") {
          rejoinBundle(output.data ?? {});
        } else if (output.output_type && Array.isArray(output.text)) output.text = output.text.join("");
      }
    }
    if (cell.metadata) delete cell.metadata.trusted;
  }
  if (nb.metadata) {
    delete nb.metadata.orig_nbformat;
    delete nb.metadata.orig_nbformat_minor;
    delete nb.metadata.signature;
  }
  return nb;
}

/** The hex HMAC-SHA256 signature of `notebook` under `secret` (nbformat's `compute_signature`). */
export async function notebookSignature(notebook: Notebook, secret: Uint8Array): Promise<string> {
  const chunks: Uint8Array[] = [];
  everything(asNbformatReads(notebook), (bytes) => chunks.push(bytes));
  const total = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  const message = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    message.set(chunk, offset);
    offset += chunk.length;
  }
  const key = await crypto.subtle.importKey(
    "raw",
    secret as Uint8Array<ArrayBuffer>,
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const digest = new Uint8Array(await crypto.subtle.sign("HMAC", key, message));
  return [...digest].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** Reads the user's notebook secret, creating it as Jupyter does (1024 random bytes, base64, mode 600). */
export async function notebookSecret(options: NotaryOptions = {}): Promise<Uint8Array> {
  const dataDir = options.dataDir ?? userJupyterDataDir();
  const path = join(dataDir, "notebook_secret");
  try {
    return await Deno.readFile(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  await Deno.mkdir(dataDir, { recursive: true });
  const base64 = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(1024))));
  const secret = encoder.encode((base64.match(/.{1,76}/g) ?? []).join("\n") + "\n");
  try {
    // createNew: a secret written meanwhile by Jupyter (or another run) wins.
    await Deno.writeFile(path, secret, { createNew: true, mode: 0o600 });
    return secret;
  } catch (error) {
    if (error instanceof Deno.errors.AlreadyExists) return await Deno.readFile(path);
    throw error;
  }
}

function openStore(dataDir: string): DatabaseSync {
  const db = new DatabaseSync(join(dataDir, "nbsignatures.db"));
  db.exec("PRAGMA busy_timeout = 5000");
  db.exec(
    "CREATE TABLE IF NOT EXISTS nbsignatures (id integer PRIMARY KEY AUTOINCREMENT, algorithm text, " +
      "signature text, path text, last_seen timestamp)",
  );
  db.exec("CREATE INDEX IF NOT EXISTS algosig ON nbsignatures(algorithm, signature)");
  return db;
}

/** `datetime.utcnow()` as Python's sqlite3 adapter stores it. */
function pythonUtcNow(): string {
  return new Date().toISOString().replace("T", " ").replace("Z", "000");
}

/**
 * Signs `notebook` (in the form {@linkcode serializeNotebook} writes it) so Jupyter on this machine trusts
 * it; returns the signature. Write the notebook with `writeNotebook` unchanged afterwards.
 */
export async function signNotebook(notebook: Notebook, options: NotaryOptions = {}): Promise<string> {
  const dataDir = options.dataDir ?? userJupyterDataDir();
  const signature = await notebookSignature(notebook, await notebookSecret({ dataDir }));
  const db = openStore(dataDir);
  try {
    const known = db.prepare("SELECT id FROM nbsignatures WHERE algorithm = ? AND signature = ?")
      .get("sha256", signature);
    if (known) {
      db.prepare("UPDATE nbsignatures SET last_seen = ? WHERE algorithm = ? AND signature = ?")
        .run(pythonUtcNow(), "sha256", signature);
    } else {
      db.prepare("INSERT INTO nbsignatures (algorithm, signature, last_seen) VALUES (?, ?, ?)")
        .run("sha256", signature, pythonUtcNow());
    }
  } finally {
    db.close();
  }
  return signature;
}

/** Whether Jupyter on this machine trusts `notebook` (its signature is in the store). */
export async function isNotebookTrusted(notebook: Notebook, options: NotaryOptions = {}): Promise<boolean> {
  const dataDir = options.dataDir ?? userJupyterDataDir();
  let secret: Uint8Array;
  try {
    secret = await Deno.readFile(join(dataDir, "notebook_secret"));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
  const signature = await notebookSignature(notebook, secret);
  try {
    await Deno.stat(join(dataDir, "nbsignatures.db"));
  } catch {
    return false;
  }
  const db = openStore(dataDir);
  try {
    return db.prepare("SELECT id FROM nbsignatures WHERE algorithm = ? AND signature = ?")
      .get("sha256", signature) !== undefined;
  } finally {
    db.close();
  }
}
