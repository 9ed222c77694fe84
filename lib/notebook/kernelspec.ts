/**
 * The project's Jupyter kernelspec (`.jupyter/kernels/latentlab/kernel.json`) and installing it into a
 * user's Jupyter data folder, always without absolute paths to the Deno binary.
 * @module
 */
import { join } from "node:path";
import { PROJECT_ROOT } from "../util/project_root.ts";
import { writeFileAtomic } from "../io/atomic.ts";

/** The kernelspec name every notebook declares. */
export const KERNEL_NAME = "latentlab";

/** The display name JupyterLab shows. */
export const KERNEL_DISPLAY_NAME = "Deno (latentlab)";

/** The Deno version the project pins (used by the `npx` launcher). */
export const DENO_VERSION = "2.9.6";

/** The folder to put on `JUPYTER_PATH` to use the project-local kernelspec. */
export const PROJECT_JUPYTER_PATH: string = join(PROJECT_ROOT, ".jupyter");

/** How the kernel process is started: `deno` from PATH, or `npx -y deno@<pinned>`. */
export type KernelLauncher = "deno" | "npx";

/** A kernelspec (`kernel.json`). */
export interface KernelSpec {
  /** Command line; `{connection_file}` is replaced by Jupyter. */
  argv: string[];
  /** Name shown in front ends. */
  display_name: string;
  /** Language of the kernel. */
  language: string;
  /** Environment variables for the kernel. */
  env?: Record<string, string>;
  /** Extra metadata. */
  metadata?: Record<string, unknown>;
}

/** The notebook metadata block that selects this kernel. */
export const NOTEBOOK_KERNELSPEC: Readonly<{ name: string; display_name: string; language: string }> = Object
  .freeze({
    name: KERNEL_NAME,
    display_name: KERNEL_DISPLAY_NAME,
    language: "typescript",
  });

/** The kernelspec for `launcher` (no absolute paths in either form). */
export function kernelSpec(launcher: KernelLauncher = "deno"): KernelSpec {
  const start = launcher === "npx" ? ["npx", "-y", `deno@${DENO_VERSION}`] : ["deno"];
  return {
    argv: [...start, "jupyter", "--kernel", "--conn", "{connection_file}"],
    display_name: KERNEL_DISPLAY_NAME,
    language: "typescript",
    env: { NO_COLOR: "1" },
    metadata: { debugger: false },
  };
}

/** The user's Jupyter data folder: `$JUPYTER_DATA_DIR`, else the platform default. */
export function userJupyterDataDir(env: Record<string, string | undefined> = Deno.env.toObject()): string {
  if (env.JUPYTER_DATA_DIR) return env.JUPYTER_DATA_DIR;
  const home = env.HOME ?? env.USERPROFILE ?? ".";
  if (Deno.build.os === "windows") return join(env.APPDATA ?? join(home, "AppData", "Roaming"), "jupyter");
  if (Deno.build.os === "darwin") return join(home, "Library", "Jupyter");
  return join(env.XDG_DATA_HOME ?? join(home, ".local", "share"), "jupyter");
}

/** Options for {@linkcode installKernelSpec}. */
export interface InstallKernelSpecOptions {
  /** How the kernel is started. Default `npx` (works where Deno is only available through npm). */
  launcher?: KernelLauncher;
  /** Jupyter data folder to install into. Default {@linkcode userJupyterDataDir}. */
  dataDir?: string;
  /** Kernelspec name. Default {@linkcode KERNEL_NAME}. */
  name?: string;
}

/** Writes `<dataDir>/kernels/<name>/kernel.json` and returns its path. */
export async function installKernelSpec(options: InstallKernelSpecOptions = {}): Promise<string> {
  const folder = join(options.dataDir ?? userJupyterDataDir(), "kernels", options.name ?? KERNEL_NAME);
  await Deno.mkdir(folder, { recursive: true });
  const path = join(folder, "kernel.json");
  await writeFileAtomic(path, JSON.stringify(kernelSpec(options.launcher ?? "npx"), null, 1) + "\n");
  return path;
}
