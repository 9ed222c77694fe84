import assert from "node:assert/strict";
import { isAbsolute, join } from "node:path";
import { PROJECT_ROOT } from "../../lib/util/project_root.ts";
import {
  installKernelSpec,
  KERNEL_NAME,
  kernelSpec,
  PROJECT_JUPYTER_PATH,
} from "../../lib/notebook/kernelspec.ts";
import { listNotebooks } from "../../lib/notebook/run_all.ts";
import { readNotebook } from "../../lib/notebook/ipynb.ts";
import { withTempDir } from "../_helpers.ts";

Deno.test("the project-local kernelspec starts deno from PATH, with no absolute path", async () => {
  const spec = JSON.parse(
    await Deno.readTextFile(join(PROJECT_JUPYTER_PATH, "kernels", KERNEL_NAME, "kernel.json")),
  );
  assert.deepEqual(spec, kernelSpec("deno"));
  assert.deepEqual(spec.argv, ["deno", "jupyter", "--kernel", "--conn", "{connection_file}"]);
  for (const arg of spec.argv) assert.ok(!isAbsolute(arg), arg);
});

Deno.test("every notebook declares the project kernelspec", async () => {
  const notebooks = await listNotebooks(join(PROJECT_ROOT, "notebooks"));
  assert.ok(notebooks.length >= 1);
  for (const path of notebooks) {
    const notebook = await readNotebook(path);
    assert.equal((notebook.metadata.kernelspec as { name?: string })?.name, KERNEL_NAME, path);
  }
});

Deno.test("`deno task kernel` installs the npx-launched kernelspec into a Jupyter data folder", async () => {
  await withTempDir(async (folder) => {
    const child = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "lib/cli/kernel.ts", "--data-dir", folder],
      cwd: PROJECT_ROOT,
    }).output();
    assert.equal(child.code, 0, new TextDecoder().decode(child.stderr));
    const spec = JSON.parse(await Deno.readTextFile(join(folder, "kernels", "latentlab", "kernel.json")));
    assert.deepEqual(spec.argv.slice(0, 4), ["npx", "-y", "deno@2.9.6", "jupyter"]);
    const path = await installKernelSpec({ dataDir: folder, launcher: "deno", name: "other" });
    assert.equal(path, join(folder, "kernels", "other", "kernel.json"));
    assert.equal(JSON.parse(await Deno.readTextFile(path)).argv[0], "deno");
  }, { prefix: "latentlab-kernelspec-" });
});
