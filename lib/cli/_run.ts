/**
 * The common main routine of the command-line tools: parse and check the flags (see `_flags.ts`),
 * print help, clear the stale temporaries a killed earlier run left in the output folders, run the
 * tool, and turn {@linkcode InputError}s into one line on stderr with exit code 2. `runMain` also
 * installs the interrupt guard: Ctrl-C or SIGTERM removes the temporaries and exits 130 (143),
 * leaving the previous outputs as they were (`lib/io/interrupt.ts`).
 * @module
 */
import { InputError } from "../errors.ts";
import { exitProcess, installInterruptGuard } from "../io/interrupt.ts";
import type { PathGuard } from "../io/paths.ts";
import { removeStaleTemporaries } from "../io/stale.ts";
import { type FlagSpecs, type FlagValues, formatHelp, parseFlags } from "./_flags.ts";

/** What a tool's `run` gets besides its flag values. */
export interface RunContext {
  /** The inputs and outputs of the flags: check outputs the tool derives itself against them. */
  guard: PathGuard;
}

/** Describes a command-line tool with the flags `F`. */
export interface CliTool<F extends FlagSpecs> {
  /** Tool name as typed by the user (also the deno task name). */
  name: string;
  /** One paragraph shown by `--help`. */
  summary: string;
  /** Its flags. */
  flags: F;
  /** Does the work; throw {@linkcode InputError} for bad input. */
  run(flags: FlagValues<F>, context: RunContext): Promise<void>;
}

/** Declares a tool; its `run` gets flag values typed from `flags` (no casts needed). */
export function defineTool<const F extends FlagSpecs>(tool: CliTool<F>): CliTool<F> {
  return tool;
}

/** Runs `tool` with `argv` and returns the exit code (0 ok, 2 bad input, 1 other failure). */
export async function runTool<F extends FlagSpecs>(
  tool: CliTool<F>,
  argv: readonly string[],
): Promise<number> {
  try {
    const parsed = parseFlags(argv, tool.flags);
    if (parsed.help) {
      console.log(formatHelp(tool.name, tool.summary, tool.flags));
      return 0;
    }
    for (const folder of parsed.guard.outputFolders) {
      await removeStaleTemporaries(folder, { legacyTargets: parsed.guard.outputNames(folder) });
    }
    await tool.run(parsed.values, { guard: parsed.guard });
    return 0;
  } catch (error) {
    if (error instanceof InputError) {
      console.error(`${tool.name}: error: ${error.message}`);
      return 2;
    }
    console.error(`${tool.name}: failed: ${error instanceof Error ? error.stack ?? error.message : error}`);
    return 1;
  }
}

/** Runs `tool` on `Deno.args` with the interrupt guard and exits with its code (`if (import.meta.main)`). */
export async function runMain<F extends FlagSpecs>(tool: CliTool<F>): Promise<void> {
  installInterruptGuard(tool.name);
  exitProcess(await runTool(tool, Deno.args));
}
