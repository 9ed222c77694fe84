/**
 * The command-line layer shared by the tools in this folder and the benchmark scripts in `bench/`:
 * declare a tool with typed flags ({@linkcode defineTool}), run it on arguments ({@linkcode runTool},
 * the exit code) or as a program ({@linkcode runMain}), or parse flags alone ({@linkcode parseFlags}).
 * Every flag is checked before any work; bad input is one line on stderr and exit code 2.
 *
 * @example A tool with one integer flag
 * ```ts
 * import assert from "node:assert/strict";
 * import { defineTool, runTool } from "./mod.ts";
 *
 * let seen = 0;
 * const tool = defineTool({
 *   name: "count",
 *   summary: "Counts.",
 *   flags: { count: { names: ["-n"], kind: "integer", default: 3, min: 1, max: 10, description: "How many" } },
 *   run(flags) {
 *     seen = flags.count; // typed as number from the flag spec
 *     return Promise.resolve();
 *   },
 * });
 * assert.equal(await runTool(tool, ["-n", "7"]), 0);
 * assert.equal(seen, 7);
 * ```
 * @module
 */
export { type CliTool, defineTool, type RunContext, runMain, runTool } from "./_run.ts";
export {
  type FlagSpec,
  type FlagSpecs,
  type FlagValues,
  formatHelp,
  MAX_COUNT,
  MAX_SEED,
  parseFlags,
  type ParseResult,
} from "./_flags.ts";
