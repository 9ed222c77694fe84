import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { PathGuard } from "../../lib/io/paths.ts";
import { InputError } from "../../lib/errors.ts";
import { PROJECT_ROOT } from "../../lib/util/project_root.ts";
import { withTempDir } from "../_helpers.ts";

function refused(pattern: RegExp) {
  return (error: unknown) => error instanceof InputError && pattern.test(error.message);
}

Deno.test("PathGuard: outputs resolved once; inputs, folders, hard links and other outputs refused", async () => {
  await withTempDir(async (dir) => {
    const real = await Deno.realPath(dir);
    await Deno.writeTextFile(join(dir, "in.idx"), "x");
    await Deno.mkdir(join(dir, "model"));
    await Deno.writeTextFile(join(dir, "model", "weights.bin"), "w");
    await Deno.link(join(dir, "model", "weights.bin"), join(dir, "elsewhere.bin"));
    await Deno.symlink(join(dir, "missing"), join(dir, "dangling"));
    await Deno.symlink(join(dir, "target.txt"), join(dir, "to-target"));
    await Deno.writeTextFile(join(dir, "target.txt"), "t");
    const guard = new PathGuard();
    guard.input("-d", join(dir, "in.idx"));
    guard.inputFolder("--model", join(dir, "model"), { role: "model folder" });
    // Writing through a symbolic link replaces its target, which is what is checked and returned.
    assert.equal(guard.outputFile("-o", join(dir, "to-target")), join(real, "target.txt"));
    assert.throws(
      () => guard.outputFile("-x", join(dir, "target.txt")),
      refused(/^-x: .* is the same path as -o/),
    );
    assert.throws(
      () => guard.outputFile("-o2", join(dir, "elsewhere.bin")),
      refused(/hard link to .*weights\.bin, an input of --model/),
    );
    assert.throws(() => guard.outputFile("-o2", join(dir, "dangling")), refused(/is a broken symbolic link/));
    assert.throws(() => guard.outputFile("-o2", join(dir, "in.idx", "x")), refused(/cannot write/));
    if (existsSync("/dev/null")) {
      assert.throws(() => guard.outputFile("-o2", "/dev/null"), refused(/is not a regular file/));
    }
    assert.equal(
      guard.outputFile("-o3", join(dir, "new", "deep", "x.csv"), { folderMayBeMissing: true }),
      join(real, "new", "deep", "x.csv"),
    );
    assert.deepEqual(guard.outputFolders, [real, join(real, "new", "deep")]);
    assert.deepEqual(guard.outputNames(real), ["target.txt"]);
  });
});

Deno.test("PathGuard: a missing folder that may be missing is protected all the same", async () => {
  await withTempDir((dir) => {
    const guard = new PathGuard();
    guard.inputFolder("-d", join(dir, "data", "mnist-sample"), {
      role: "data set folder",
      mayBeMissing: true,
    });
    assert.throws(
      () => guard.outputFolder("--models", join(dir, "data", "mnist-sample", "models")),
      refused(/^--models: .* lies inside the data set folder of -d/),
    );
    assert.throws(
      () => new PathGuard().inputFolder("--model", join(dir, "none"), { role: "model folder" }),
      refused(/^--model: .*none: model folder not found/),
    );
  });
});

/** Runs `argv` as `root` would without the right to override file permissions, when we are root. */
function unprivileged(argv: string[]): string[] {
  if (Deno.uid() !== 0) return argv;
  return ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", ...argv];
}

Deno.test({
  name: "PathGuard: a read-only output folder is refused before any work, naming the flag",
  ignore: Deno.build.os === "windows" || (Deno.uid() === 0 && !existsSync("/usr/bin/setpriv")),
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const input = join(dir, "in.idx");
      await Deno.writeTextFile(input, "not even an IDX file: the folder is refused first");
      await Deno.mkdir(join(dir, "ro"));
      await Deno.chmod(join(dir, "ro"), 0o555);
      const [command, ...args] = unprivileged([
        Deno.execPath(),
        "run",
        "-A",
        join(PROJECT_ROOT, "lib/cli/cluster.ts"),
        ...["-d", input, "-i", input, "-n", input, "-c", input, "-o", join(dir, "ro", "out.txt")],
      ]);
      const output = await new Deno.Command(command, { args, stdout: "piped", stderr: "piped" }).output();
      const stderr = new TextDecoder().decode(output.stderr);
      assert.equal(output.code, 2, stderr);
      assert.match(stderr, /^cluster: error: -o: cannot write into .*ro \(permission denied\)\n$/);
      assert.deepEqual([...Deno.readDirSync(join(dir, "ro"))], []);
    } finally {
      await Deno.chmod(join(dir, "ro"), 0o755);
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("PathGuard: outputs may go into a folder of models, never into one of its models", async () => {
  await withTempDir(async (dir) => {
    const real = await Deno.realPath(dir);
    for (const model of ["ae-latent10", "fashion-mnist/ae-latent20"]) {
      await Deno.mkdir(join(dir, "models", model), { recursive: true });
      await Deno.writeTextFile(join(dir, "models", model, "metadata.json"), "{}");
    }
    const guard = new PathGuard();
    guard.inputFolder("--models", join(dir, "models"), { role: "models folder" });
    assert.equal(guard.wholeFolder("--save", join(dir, "models", "clf")), join(real, "models", "clf"));
    assert.throws(
      () => guard.outputFile("-o", join(dir, "models", "ae-latent10", "weights.bin")),
      refused(/^-o: .* lies inside the model folder of --models \(.*ae-latent10\)/),
    );
    assert.throws(
      () => guard.outputFile("-o", join(dir, "models", "fashion-mnist", "ae-latent20", "x")),
      refused(/lies inside the model folder of --models/),
    );
    assert.throws(
      () => guard.outputFolder("--out", join(dir, "models")),
      refused(/is the models folder of --models/),
    );
  });
});
