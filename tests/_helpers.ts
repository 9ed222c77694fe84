/**
 * Helpers shared by the tests of every folder: a temporary folder that is removed afterwards, and
 * running a Deno program as a child process, to its end or until it is interrupted by a signal.
 */

/**
 * Runs `fn` with a new temporary folder and removes the folder (recursively) afterwards, also when
 * `fn` throws. `options` are those of `Deno.makeTempDir` (e.g. a `prefix`).
 */
export async function withTempDir<T>(
  fn: (dir: string) => T | Promise<T>,
  options: Deno.MakeTempOptions = {},
): Promise<T> {
  const dir = await Deno.makeTempDir(options);
  try {
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** How a child process ended and what it printed. */
export interface ChildRun {
  /** Exit code (128 + the signal number when a signal ended it). */
  code: number;
  /** Decoded standard output. */
  stdout: string;
  /** Decoded standard error. */
  stderr: string;
}

/** Where and how to run a Deno child process. */
export interface DenoChildOptions {
  /** Working folder (default: this process's). */
  cwd?: string;
  /** Environment variables added to this process's. */
  env?: Record<string, string>;
}

function denoCommand(args: readonly string[], options: DenoChildOptions): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: [...args],
    cwd: options.cwd,
    env: options.env,
    stdout: "piped",
    stderr: "piped",
  });
}

/** Runs `deno <args>` to its end and returns its exit code and output. */
export async function runDeno(args: readonly string[], options: DenoChildOptions = {}): Promise<ChildRun> {
  const output = await denoCommand(args, options).output();
  const decoder = new TextDecoder();
  return { code: output.code, stdout: decoder.decode(output.stdout), stderr: decoder.decode(output.stderr) };
}

/** When and how {@linkcode interruptDeno} interrupts its child. */
export interface InterruptOptions extends DenoChildOptions {
  /** The child is interrupted once what it printed on `stream` matches this. */
  when: RegExp;
  /** The stream `when` is looked for in. Default `stdout`. */
  stream?: "stdout" | "stderr";
  /** Milliseconds to wait after `when` matched, before the signal. Default 0. */
  delayMs?: number;
  /** The signal. Default `SIGINT` (Ctrl-C). */
  signal?: Deno.Signal;
}

/**
 * Starts `deno <args>`, waits until its output matches `options.when` (or the stream ends), sends it
 * `options.signal` and returns its exit code and all it printed, after the signal too.
 */
export async function interruptDeno(args: readonly string[], options: InterruptOptions): Promise<ChildRun> {
  const child = denoCommand(args, options).spawn();
  const watched = options.stream ?? "stdout";
  const other = new Response(watched === "stdout" ? child.stderr : child.stdout).text();
  let text = "";
  const decoder = new TextDecoder();
  const reader = (watched === "stdout" ? child.stdout : child.stderr).getReader();
  while (!options.when.test(text)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
  child.kill(options.signal ?? "SIGINT");
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  const status = await child.status;
  const rest = await other;
  return watched === "stdout"
    ? { code: status.code, stdout: text, stderr: rest }
    : { code: status.code, stdout: rest, stderr: text };
}
