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
  broadcast(type: string, content: Record<string, unknown>): Promise<void>;
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
 * Bundles of at least this many characters (as JSON) are followed by a drain in the kernel; see
 * {@linkcode display}.
 */
export const LARGE_OUTPUT_CHARS = 32 * 1024;

/**
 * Shows `bundle`: in Jupyter as one rich output, elsewhere prints its `text/plain` (or a short note naming
 * the MIME types). Await it.
 *
 * In the Deno kernel a large bundle (at least {@linkcode LARGE_OUTPUT_CHARS}: an image, a figure, one
 * carrying plotly.js) is followed by a drain. The kernel's output channel (a ZeroMQ PUB socket) writes its
 * send buffer only while it sends a message, and silently drops a message whenever 128 KiB or more are
 * still unsent; so when the front end reads slowly (nbconvert on a busy machine), the output after a large
 * one was lost. The drain sends a `status: busy` message (the kernel is busy; front ends and nbclient
 * ignore it) every 25 ms for 2 ms per KiB of the bundle (at least 100 ms, at most 5 s, at least 8 times
 * as long as sending it took): each one writes more of the buffer, and one that is dropped harms nothing.
 *
 * The project kernelspec starts the kernel behind the kernel proxy (`lib/notebook/kernel_proxy.ts`), which
 * reads the kernel at once and never drops, so there the drain is only a margin for a proxy that the
 * machine's load keeps from reading; it stays for notebooks run on the plain kernel (another kernelspec,
 * `deno task kernel --bare`), where it is what keeps the outputs after a large one.
 */
export async function display(bundle: DisplayBundle, options: DisplayOptions = {}): Promise<void> {
  const jupyter = jupyterNamespace();
  if (jupyter) {
    const started = performance.now();
    await jupyter.display(bundle, { raw: true, display_id: options.displayId, update: options.update });
    const chars = bundleChars(bundle);
    if (chars >= LARGE_OUTPUT_CHARS) {
      const drainMs = Math.min(5000, Math.max(100, (2 * chars) / 1024, 8 * (performance.now() - started)));
      await drain(jupyter, drainMs);
    }
    return;
  }
  const text = bundle["text/plain"];
  console.log(typeof text === "string" ? text : `[${Object.keys(bundle).join(", ")}]`);
}

/** The length of a bundle's strings (what dominates its message), without serializing it again. */
function bundleChars(bundle: DisplayBundle): number {
  let chars = 0;
  for (const value of Object.values(bundle)) {
    chars += typeof value === "string" ? value.length : JSON.stringify(value)?.length ?? 0;
  }
  return chars;
}

async function drain(jupyter: JupyterNamespace, ms: number): Promise<void> {
  const deadline = performance.now() + ms;
  while (performance.now() < deadline) {
    await jupyter.broadcast("status", { execution_state: "busy" });
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
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
