/**
 * The common main routine of the command-line tools: parse flags, print help, and turn
 * {@linkcode InputError}s into one line on stderr with exit code 2.
 * @module
 */
import { InputError } from "../errors.ts";
import { type FlagSpec, formatHelp, type ParsedFlags, parseFlags } from "./_flags.ts";

/** Describes a command-line tool. */
export interface CliTool {
  /** Tool name as typed by the user (also the deno task name). */
  name: string;
  /** One paragraph shown by `--help`. */
  summary: string;
  /** Its flags. */
  flags: FlagSpec[];
  /** Does the work; throw {@linkcode InputError} for bad input. */
  run(flags: ParsedFlags): Promise<void>;
}

/** Runs `tool` with `argv` and returns the exit code (0 ok, 2 bad input, 1 other failure). */
export async function runTool(tool: CliTool, argv: string[]): Promise<number> {
  try {
    const parsed = parseFlags(argv, tool.flags);
    if (parsed.help) {
      console.log(formatHelp(tool.name, tool.summary, tool.flags));
      return 0;
    }
    await tool.run(parsed.values);
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

/** Runs `tool` on `Deno.args` and exits with its code. Use as `if (import.meta.main) runMain(tool)`. */
export async function runMain(tool: CliTool): Promise<void> {
  Deno.exit(await runTool(tool, Deno.args));
}
