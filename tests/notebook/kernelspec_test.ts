import assert from "node:assert/strict";
import { isAbsolute, join, resolve } from "node:path";
import { PROJECT_ROOT } from "../../lib/util/project_root.ts";
import {
  installKernelSpec,
  KERNEL_NAME,
  kernelSpec,
  PROJECT_JUPYTER_PATH,
  projectKernelSpec,
  PROXY_MODULES,
} from "../../lib/notebook/kernelspec.ts";
import { listNotebooks } from "../../lib/notebook/run_all.ts";
import { readNotebook } from "../../lib/notebook/ipynb.ts";
import { withTempDir } from "../_helpers.ts";

Deno.test("the project-local kernelspec starts the kernel proxy of this checkout with deno from PATH, no absolute path", async () => {
  const folder = join(PROJECT_JUPYTER_PATH, "kernels", KERNEL_NAME);
  const spec = JSON.parse(await Deno.readTextFile(join(folder, "kernel.json")));
  assert.deepEqual(spec, projectKernelSpec());
  assert.deepEqual(spec.argv, [
    "deno",
    "run",
    "-A",
    "--no-config",
    "{resource_dir}/../../../lib/notebook/kernel_proxy.ts",
    "--conn",
    "{connection_file}",
  ]);
  for (const arg of spec.argv) assert.ok(!isAbsolute(arg), arg);
  // {resource_dir} is the kernelspec's folder: the path leads to the proxy.
  const proxy = resolve(spec.argv[4].replace("{resource_dir}", folder));
  assert.equal(proxy, join(PROJECT_ROOT, "lib", "notebook", "kernel_proxy.ts"));
  assert.ok((await Deno.stat(proxy)).isFile);
});

Deno.test("every notebook declares the project kernelspec", async () => {
  const notebooks = await listNotebooks(join(PROJECT_ROOT, "notebooks"));
  assert.ok(notebooks.length >= 1);
  for (const path of notebooks) {
    const notebook = await readNotebook(path);
    assert.equal((notebook.metadata.kernelspec as { name?: string })?.name, KERNEL_NAME, path);
  }
});

Deno.test("`deno task kernel` installs the npx-launched kernelspec with a copy of the proxy beside it; --bare the plain kernel", async () => {
  await withTempDir(async (folder) => {
    const child = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "lib/cli/kernel.ts", "--data-dir", folder],
      cwd: PROJECT_ROOT,
    }).output();
    assert.equal(child.code, 0, new TextDecoder().decode(child.stderr));
    const installed = join(folder, "kernels", "latentlab");
    const spec = JSON.parse(await Deno.readTextFile(join(installed, "kernel.json")));
    assert.deepEqual(spec.argv, [
      "npx",
      "-y",
      "deno@2.9.6",
      "run",
      "-A",
      "--no-config",
      "{resource_dir}/kernel_proxy.ts",
      "--conn",
      "{connection_file}",
    ]);
    for (const module of PROXY_MODULES) {
      assert.equal(
        await Deno.readTextFile(join(installed, module)),
        await Deno.readTextFile(join(PROJECT_ROOT, "lib", "notebook", module)),
        module,
      );
    }
    // The copy runs on its own (its imports are beside it).
    const help = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--no-config", join(installed, "kernel_proxy.ts"), "--help"],
    }).output();
    assert.equal(help.code, 0, new TextDecoder().decode(help.stderr));
    assert.match(new TextDecoder().decode(help.stdout), /--conn <connection file>/);

    const path = await installKernelSpec({ dataDir: folder, launcher: "deno", name: "other" });
    assert.equal(path, join(folder, "kernels", "other", "kernel.json"));
    assert.deepEqual(JSON.parse(await Deno.readTextFile(path)).argv.slice(0, 2), ["deno", "run"]);
    await installKernelSpec({ dataDir: folder, launcher: "deno", bare: true });
    assert.deepEqual(JSON.parse(await Deno.readTextFile(join(installed, "kernel.json"))).argv, [
      "deno",
      "jupyter",
      "--kernel",
      "--conn",
      "{connection_file}",
    ]);
    assert.deepEqual([...Deno.readDirSync(installed)].map((e) => e.name), ["kernel.json"]);
    assert.deepEqual(kernelSpec("npx", { bare: true }).argv.slice(0, 4), [
      "npx",
      "-y",
      "deno@2.9.6",
      "jupyter",
    ]);
  }, { prefix: "latentlab-kernelspec-" });
});
