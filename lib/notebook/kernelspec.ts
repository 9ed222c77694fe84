/**
 * The project's Jupyter kernelspec (`.jupyter/kernels/latentlab/kernel.json`) and installing it into a
 * user's Jupyter data folder, always without absolute paths.
 *
 * The kernelspec starts the kernel proxy (`kernel_proxy.ts`), which starts the Deno kernel with the same
 * `deno` and stands between it and the front end, so that no output is lost or lands after its cell's
 * `idle` (see that module). The proxy is found through Jupyter's `{resource_dir}` (the kernelspec's own
 * folder, substituted by jupyter_client and by VS Code's Jupyter extension since 2025.2):
 *
 * - the project-local spec (`JUPYTER_PATH=$PWD/.jupyter`) runs
 *   `{resource_dir}/../../../lib/notebook/kernel_proxy.ts`, the proxy in this checkout;
 * - `deno task kernel` copies the proxy and the two modules it imports ({@linkcode PROXY_MODULES}) next
 *   to the kernel.json it writes and runs `{resource_dir}/kernel_proxy.ts`, so the installed kernel works
 *   from any folder and survives moving the project (run `deno task kernel` again after updating it).
 *
 * `--no-config` keeps the proxy off the project's deno.json (it needs none); the kernel it starts finds
 * deno.json upward from the notebook's folder as before. `deno task kernel --bare` installs the plain
 * kernel (`deno jupyter --kernel`) instead.
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
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

/** The modules the kernel proxy needs, copied next to an installed kernel.json (from `lib/notebook/`). */
export const PROXY_MODULES: readonly string[] = ["kernel_proxy.ts", "_zmtp.ts", "protocol.ts"];

/** The proxy as the project-local kernelspec (`.jupyter/kernels/latentlab/`) reaches it. */
export const PROJECT_PROXY_PATH = "{resource_dir}/../../../lib/notebook/kernel_proxy.ts";

/** The proxy as an installed kernelspec reaches it (a copy in its own folder). */
export const INSTALLED_PROXY_PATH = "{resource_dir}/kernel_proxy.ts";

/** Options for {@linkcode kernelSpec}. */
export interface KernelSpecOptions {
  /** The proxy module as the kernelspec names it. Default {@linkcode INSTALLED_PROXY_PATH}. */
  proxyPath?: string;
  /** Start the Deno kernel directly, without the proxy (outputs can then be lost by slow clients). */
  bare?: boolean;
}

/** The kernelspec for `launcher` (no absolute paths in either form). */
export function kernelSpec(launcher: KernelLauncher = "deno", options: KernelSpecOptions = {}): KernelSpec {
  const start = launcher === "npx" ? ["npx", "-y", `deno@${DENO_VERSION}`] : ["deno"];
  const run = options.bare
    ? ["jupyter", "--kernel"]
    : ["run", "-A", "--no-config", options.proxyPath ?? INSTALLED_PROXY_PATH];
  return {
    argv: [...start, ...run, "--conn", "{connection_file}"],
    display_name: KERNEL_DISPLAY_NAME,
    language: "typescript",
    env: { NO_COLOR: "1" },
    metadata: { debugger: false },
  };
}

/** The project-local kernelspec (`.jupyter/kernels/latentlab/kernel.json`): deno from PATH, the proxy of this checkout. */
export function projectKernelSpec(): KernelSpec {
  return kernelSpec("deno", { proxyPath: PROJECT_PROXY_PATH });
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
  /** Install the plain kernel, without the proxy. */
  bare?: boolean;
}

/**
 * Writes `<dataDir>/kernels/<name>/kernel.json` (with the proxy's modules beside it, unless `bare`) and
 * returns its path.
 */
export async function installKernelSpec(options: InstallKernelSpecOptions = {}): Promise<string> {
  const folder = join(options.dataDir ?? userJupyterDataDir(), "kernels", options.name ?? KERNEL_NAME);
  await Deno.mkdir(folder, { recursive: true });
  const here = fileURLToPath(new URL(".", import.meta.url));
  for (const module of PROXY_MODULES) {
    if (options.bare) await Deno.remove(join(folder, module)).catch(() => {});
    else await writeFileAtomic(join(folder, module), await Deno.readTextFile(join(here, module)));
  }
  const path = join(folder, "kernel.json");
  const spec = kernelSpec(options.launcher ?? "npx", { bare: options.bare });
  await writeFileAtomic(path, JSON.stringify(spec, null, 1) + "\n");
  return path;
}
