/**
 * Ctrl-C (SIGINT) and SIGTERM for the command-line tools: the previous outputs stay as they were and
 * no temporary is left behind.
 *
 * - Writers register every temporary they create ({@linkcode trackTemporary}) and the writes still in
 *   flight ({@linkcode trackWrite}); on a signal the guard lets those writes settle, removes the
 *   temporaries and exits with 128 + the signal number (130 for SIGINT, 143 for SIGTERM). From then on
 *   no commit starts.
 * - While outputs are renamed into place ({@linkcode holdingSignals}, a few milliseconds), a signal
 *   is held: the renames finish, so a set of outputs is never half-replaced, and then the process exits.
 * - A tool that must stop something first (a kernel, a restore) adds an {@linkcode addInterruptHook}.
 *
 * Nothing happens until {@linkcode installInterruptGuard} is called (the tools' `runMain` does), so
 * library users and tests keep the default signal behaviour.
 * @module
 */

const live = new Set<string>();
const inflight = new Set<Promise<unknown>>();
const hooks = new Set<() => Promise<void>>();
let holding = 0;
let pending: Deno.Signal | undefined;
let exiting = false;
let installed: { name: string; signals: Deno.Signal[]; listeners: (() => void)[] } | undefined;

const SIGNAL_NUMBERS: Partial<Record<Deno.Signal, number>> = { SIGINT: 2, SIGTERM: 15 };

/** Records a temporary file or folder that an interrupt must remove. */
export function trackTemporary(path: string): void {
  live.add(path);
}

/**
 * Returns at once, unless the guard is handling a signal: then it never returns, so that no new
 * temporary is started while the guard removes them (it exits the process when it is done).
 */
export async function unlessInterrupted(): Promise<void> {
  if (exiting) await new Promise(() => {});
}

/**
 * Records a write into a temporary that is in flight: on an interrupt the guard waits for it (so the
 * file it creates is there to be removed) before removing the temporaries. Returns `write`.
 */
export function trackWrite<T>(write: Promise<T>): Promise<T> {
  inflight.add(write);
  write.then(() => inflight.delete(write), () => inflight.delete(write));
  return write;
}

/** Forgets a temporary (it was renamed into place or removed). */
export function untrackTemporary(path: string): void {
  live.delete(path);
}

/** The temporaries recorded now (for tests and diagnostics). */
export function trackedTemporaries(): string[] {
  return [...live];
}

/** Removes every recorded temporary, synchronously, ignoring those already gone. */
export function removeTrackedTemporariesSync(): void {
  for (const path of live) {
    try {
      Deno.removeSync(path, { recursive: true });
    } catch { /* already gone */ }
  }
  live.clear();
}

/**
 * Adds work to do on an interrupt before the temporaries are removed and the process exits (e.g. stop
 * a kernel and put a results folder back). Returns a function that removes the hook.
 */
export function addInterruptHook(hook: () => Promise<void>): () => void {
  hooks.add(hook);
  return () => hooks.delete(hook);
}

function exitFor(signal: Deno.Signal): never {
  removeTrackedTemporariesSync();
  Deno.exit(128 + (SIGNAL_NUMBERS[signal] ?? 2));
}

async function runHooks(): Promise<void> {
  const all: Promise<unknown>[] = [...hooks].map((hook) => hook().catch(() => {}));
  all.push(...[...inflight].map((write) => write.catch(() => {})));
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<void>((resolve) => timer = setTimeout(resolve, 15_000));
  await Promise.race([Promise.all(all), limit]);
  clearTimeout(timer);
}

function onSignal(signal: Deno.Signal): void {
  if (exiting) exitFor(signal); // a second signal: stop now
  if (holding > 0) {
    pending = signal;
    return;
  }
  exiting = true;
  console.error(
    `${installed?.name ?? "latentlab"}: interrupted (${signal}); the previous outputs are unchanged`,
  );
  if (hooks.size === 0 && inflight.size === 0) exitFor(signal);
  runHooks().finally(() => exitFor(signal));
}

/**
 * Installs the SIGINT/SIGTERM guard described in the module doc; `name` prefixes its message. Returns
 * a function that uninstalls it.
 */
export function installInterruptGuard(name: string): () => void {
  if (installed) throw new Error("installInterruptGuard: already installed");
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  const listeners = signals.map((signal) => () => onSignal(signal));
  signals.forEach((signal, i) => Deno.addSignalListener(signal, listeners[i]));
  installed = { name, signals, listeners };
  return () => {
    if (!installed) return;
    installed.signals.forEach((signal, i) => Deno.removeSignalListener(signal, installed!.listeners[i]));
    installed = undefined;
  };
}

/**
 * Exits the process with `code`, unless a signal is being handled: then the guard exits (with 130 or
 * 143) once its hooks are done, and a tool that returned meanwhile must not exit first with its own
 * code.
 */
export function exitProcess(code: number): void {
  if (exiting) return;
  Deno.exit(code);
}

/**
 * Gives a signal that already arrived the chance to be handled (an event-loop turn: signal listeners
 * only run there, and a busy computation may have delayed them). Call it before committing outputs,
 * so that a Ctrl-C pressed during the work stops the process before anything is replaced.
 */
export async function handlePendingSignals(): Promise<void> {
  for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setTimeout(resolve, 0));
  if (exiting) await new Promise(() => {}); // the guard is exiting: never start a commit
}

/**
 * Runs `fn` (a short commit: renames) with signals held: a signal that arrives meanwhile takes effect
 * only when `fn` has finished, so its renames are never cut in half.
 */
export async function holdingSignals<T>(fn: () => Promise<T>): Promise<T> {
  if (exiting && holding === 0) await new Promise(() => {}); // the guard is exiting: never start a commit
  holding += 1;
  try {
    return await fn();
  } finally {
    holding -= 1;
    if (holding === 0 && pending !== undefined) {
      const signal = pending;
      pending = undefined;
      exiting = true;
      console.error(
        `${
          installed?.name ?? "latentlab"
        }: interrupted (${signal}) while the outputs were replaced; they are complete`,
      );
      exitFor(signal);
    }
  }
}
