/**
 * Showing rich output: in a Jupyter kernel through `Deno.jupyter.display`, elsewhere (plain `deno run`)
 * as the bundle's `text/plain` on the console.
 * @module
 */

/** A MIME bundle: MIME type → data (`text/html` string, `image/png` base64, JSON objects …). */
export type DisplayBundle = Record<string, unknown>;

/** Options for {@linkcode display}. */
export interface DisplayOptions {
  /** Id of a display that can later be replaced (see `update`). */
  displayId?: string;
  /** Replace the display with `displayId` instead of adding a new output. */
  update?: boolean;
}

interface JupyterNamespace {
  display(obj: unknown, options?: { raw?: boolean; update?: boolean; display_id?: string }): Promise<void>;
}

/** The `Deno.jupyter` namespace when running in the Deno kernel, else `undefined`. */
export function jupyterNamespace(): JupyterNamespace | undefined {
  try {
    // Outside `deno jupyter` the getter throws.
    return (Deno as unknown as { jupyter?: JupyterNamespace }).jupyter;
  } catch {
    return undefined;
  }
}

/** Whether code runs inside a Jupyter kernel. */
export function inJupyter(): boolean {
  return jupyterNamespace() !== undefined;
}

/**
 * Shows `bundle`: in Jupyter as one rich output (await it: awaited displays are never lost), elsewhere
 * prints its `text/plain` (or a short note naming the MIME types).
 */
export async function display(bundle: DisplayBundle, options: DisplayOptions = {}): Promise<void> {
  const jupyter = jupyterNamespace();
  if (jupyter) {
    await jupyter.display(bundle, { raw: true, display_id: options.displayId, update: options.update });
    return;
  }
  const text = bundle["text/plain"];
  console.log(typeof text === "string" ? text : `[${Object.keys(bundle).join(", ")}]`);
}

/**
 * Shows a line (or block) of plain text as a display output. Prefer `await showText(summary)` to ending a
 * cell with a bare string or to `console.log`: the Deno kernel publishes those late, and JupyterLab or
 * nbconvert can lose them; awaited displays are never lost.
 */
export async function showText(text: string): Promise<void> {
  await display({ "text/plain": text });
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/** JSON that is safe inside an HTML `<script>` element (no `</script>`, no `<!--`). */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}
