/**
 * `--help` for the benchmark scripts: prints the script's module documentation (its leading JSDoc
 * comment, which lists the flags) and exits 0.
 * @module
 */
import { fileURLToPath } from "node:url";

/** When `args` holds `--help` or `-h`, prints the module doc of the script at `moduleUrl` and exits 0. */
export function printHelpIfAsked(moduleUrl: string, args: string[] = Deno.args): void {
  if (!args.includes("--help") && !args.includes("-h")) return;
  const source = Deno.readTextFileSync(fileURLToPath(moduleUrl));
  const match = source.match(/^\/\*\*([\s\S]*?)\*\//);
  const text = (match?.[1] ?? "")
    .split("\n")
    .map((line) => line.replace(/^\s*\* ?/, ""))
    .filter((line) => !line.startsWith("@module"))
    .join("\n")
    .trim();
  console.log(text || "No documentation.");
  Deno.exit(0);
}
