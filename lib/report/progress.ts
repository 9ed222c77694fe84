/**
 * An in-place progress line for long cells: one output in Jupyter that is updated through its display id
 * (so a training loop does not print hundreds of lines), at most every `jupyterIntervalMs`, and a
 * throttled console line elsewhere. Both are throttled because the Deno kernel drops output messages
 * silently when the front end reads them more slowly than they are sent (nbconvert on a busy machine
 * lost displays after a search that updated its progress for every query).
 * @module
 */
import { display, inJupyter } from "./display.ts";

/** Options for {@linkcode createProgress}. */
export interface ProgressOptions {
  /** Total number of steps, when known (shows `done/total` and a percentage). */
  total?: number;
  /** Outside Jupyter, print at most one line per this many milliseconds. Default 2000. */
  consoleIntervalMs?: number;
  /** In Jupyter, update the line at most once per this many milliseconds. Default 250. */
  jupyterIntervalMs?: number;
}

/** A progress line. */
export interface Progress {
  /** Reports `done` steps and an optional note (e.g. the current loss). Await it in Jupyter. */
  update(done: number, note?: string): Promise<void>;
  /** Shows the final line (with the elapsed time). */
  finish(note?: string): Promise<void>;
}

function formatSeconds(ms: number): string {
  return ms < 60_000
    ? `${(ms / 1000).toFixed(1)} s`
    : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** Creates a progress line labelled `label`. */
export function createProgress(label: string, options: ProgressOptions = {}): Progress {
  const started = performance.now();
  const displayId = `progress-${crypto.randomUUID()}`;
  const jupyter = inJupyter();
  const interval = jupyter ? (options.jupyterIntervalMs ?? 250) : (options.consoleIntervalMs ?? 2000);
  let shown = false;
  let lastPrinted = -Infinity;
  let lastDone = 0;
  const line = (done: number, note: string | undefined, final: boolean) => {
    const elapsed = performance.now() - started;
    let text = `${label}: `;
    if (options.total) {
      const pct = Math.min(100, (100 * done) / options.total);
      const filled = Math.round(pct / 5);
      text += `[${"#".repeat(filled)}${".".repeat(20 - filled)}] ${done}/${options.total} (${
        pct.toFixed(0)
      } %)`;
      if (!final && done > 0 && done < options.total) {
        text += `, ${formatSeconds((elapsed / done) * (options.total - done))} left`;
      }
    } else {
      text += `${done}`;
    }
    text += final ? `, done in ${formatSeconds(elapsed)}` : `, ${formatSeconds(elapsed)}`;
    return note ? `${text} — ${note}` : text;
  };
  const show = async (text: string, final: boolean) => {
    if (!final && performance.now() - lastPrinted < interval) return;
    lastPrinted = performance.now();
    if (jupyter) {
      await display({ "text/plain": text }, { displayId, update: shown });
      shown = true;
    } else {
      console.log(text);
    }
  };
  return {
    async update(done, note) {
      lastDone = done;
      await show(line(done, note, false), false);
    },
    async finish(note) {
      await show(line(options.total ?? lastDone, note, true), true);
    },
  };
}
