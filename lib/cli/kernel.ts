/**
 * `deno task kernel [--launcher npx|deno] [--data-dir DIR] [--name latentlab] [--bare]`: installs the
 * project's Jupyter kernelspec for the current user so JupyterLab / nbconvert can run the notebooks, and
 * prints how to use the project-local one (`JUPYTER_PATH=$PWD/.jupyter`) instead. The kernelspec starts
 * the Deno kernel behind the kernel proxy (`lib/notebook/kernel_proxy.ts`, copied next to kernel.json),
 * which delivers every output to the front end; `--bare` installs the plain kernel.
 * @module
 */
import { defineTool, runMain } from "./_run.ts";
import { InputError } from "../errors.ts";
import {
  installKernelSpec,
  KERNEL_NAME,
  type KernelLauncher,
  kernelSpec,
  PROJECT_JUPYTER_PATH,
  userJupyterDataDir,
} from "../notebook/kernelspec.ts";

/** The `kernel` tool. */
export const kernelTool = defineTool({
  name: "kernel",
  summary:
    'Installs the "Deno (latentlab)" Jupyter kernelspec for your user (no absolute paths: the kernel is ' +
    "started through npx or from deno on PATH, behind the kernel proxy that delivers every output). " +
    'Notebooks declare it as kernelspec "latentlab".',
  flags: {
    launcher: {
      names: ["--launcher"],
      kind: "string",
      choices: ["npx", "deno"],
      default: "npx",
      description: "Start the kernel with `npx -y deno@2.9.6` or with `deno` from PATH",
    },
    dataDir: {
      names: ["--data-dir"],
      kind: "outputFolder",
      description: "Jupyter data folder (default: $JUPYTER_DATA_DIR or the user's)",
    },
    name: { names: ["--name"], kind: "string", default: KERNEL_NAME, description: "Kernelspec name" },
    bare: {
      names: ["--bare"],
      kind: "boolean",
      description:
        "Start `deno jupyter --kernel` directly, without the kernel proxy (slow front ends can lose outputs)",
    },
    print: {
      names: ["--print"],
      kind: "boolean",
      description: "Only print the kernelspec, install nothing",
    },
  },
  async run(flags) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(flags.name)) {
      throw new InputError(
        `--name: "${flags.name}" must be letters, digits, ".", "_" or "-" (it names a folder)`,
      );
    }
    const launcher: KernelLauncher = flags.launcher;
    if (flags.print) {
      console.log(JSON.stringify(kernelSpec(launcher, { bare: flags.bare }), null, 1));
      return;
    }
    const path = await installKernelSpec({
      launcher,
      dataDir: flags.dataDir ?? userJupyterDataDir(),
      name: flags.name,
      bare: flags.bare,
    });
    console.log(
      `kernel: installed kernelspec "${flags.name}" (${
        kernelSpec(launcher, { bare: flags.bare }).argv.slice(0, -2).join(" ")
      } ...) at ${path}`,
    );
    console.log(
      `kernel: Jupyter (classic Notebook, JupyterLab, VS Code) and \`jupyter nbconvert --execute\` now run notebooks/*.ipynb with it.`,
    );
    console.log(
      `kernel: without installing, use the project-local spec: JUPYTER_PATH=${PROJECT_JUPYTER_PATH} (deno on PATH).`,
    );
  },
});

if (import.meta.main) await runMain(kernelTool);
