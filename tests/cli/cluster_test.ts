import assert from "node:assert/strict";
import { join } from "node:path";
import { clusterTool } from "../../lib/cli/cluster.ts";
import { runTool } from "../../lib/cli/_run.ts";
import { encodeIdx, writeImages, writeLatent } from "../../lib/data/idx.ts";
import { classesFromAssignment, formatClassesFile } from "../../lib/data/classes_file.ts";
import { parseClusterOutput } from "../../lib/cluster/output.ts";
import { createRandom } from "../../lib/util/random.ts";
import { naiveMedians, naiveSilhouette } from "../cluster/_helpers.ts";
import { withTempDir } from "../_helpers.ts";

const COUNT = 48;

/** Small synthetic stand-ins: 48 images of 4x4 in 3 groups, a 3-d latent file, a classes file. */
async function fixture(dir: string) {
  const random = createRandom(5);
  const labels = Array.from({ length: COUNT }, (_, i) => i % 3);
  const pixels = new Uint8Array(COUNT * 16);
  const latent = new Int16Array(COUNT * 3);
  for (let i = 0; i < COUNT; i++) {
    for (let t = 0; t < 16; t++) {
      pixels[i * 16 + t] = Math.min(255, labels[i] * 80 + (t % 4) * 10 + random.int(40));
    }
    for (let t = 0; t < 3; t++) latent[i * 3 + t] = labels[i] * 8000 + random.int(3000);
  }
  const paths = {
    images: join(dir, "images.idx"),
    latent: join(dir, "latent.idx"),
    classes: join(dir, "classes.txt"),
    config: join(dir, "cluster.conf"),
    out: join(dir, "out", "result.txt"),
  };
  await Deno.mkdir(join(dir, "out"));
  await writeImages(paths.images, { count: COUNT, rows: 4, cols: 4, pixels });
  await writeLatent(paths.latent, { count: COUNT, dim: 3, values: latent });
  await Deno.writeTextFile(paths.classes, formatClassesFile(classesFromAssignment(labels)));
  await Deno.writeTextFile(paths.config, "number_of_clusters: 3\nseed: 1\n");
  return { paths, pixels, labels };
}

function argv(p: Record<string, string>, extra: string[] = []): string[] {
  return ["-d", p.images, "-i", p.latent, "-n", p.classes, "-c", p.config, "-o", p.out, ...extra];
}

async function runQuiet(args: string[]): Promise<{ code: number; errors: string[] }> {
  const errors: string[] = [];
  const original = console.error;
  console.error = (...parts: unknown[]) => errors.push(parts.join(" "));
  try {
    return { code: await runTool(clusterTool, args), errors };
  } finally {
    console.error = original;
  }
}

async function withFixture(body: (f: Awaited<ReturnType<typeof fixture>>, dir: string) => Promise<void>) {
  await withTempDir(async (dir) => {
    await body(await fixture(dir), dir);
  });
}

Deno.test("cluster CLI: writes three sections that match an independent evaluation", async () => {
  await withFixture(async ({ paths, pixels, labels }) => {
    const started = performance.now();
    const { code, errors } = await runQuiet(argv(paths, ["--complete"]));
    const wallSeconds = (performance.now() - started) / 1000;
    assert.equal(code, 0, errors.join("\n"));
    const output = parseClusterOutput(await Deno.readTextFile(paths.out), paths.out);
    assert.deepEqual(output.sections.map((s) => s.title), [
      "NEW SPACE",
      "ORIGINAL SPACE",
      "CLASSES AS CLUSTERS",
    ]);
    const points = { count: COUNT, dim: 16, values: pixels };
    for (const section of output.sections) {
      assert.equal(section.clusters.length, 3);
      const assignment = new Int32Array(COUNT).fill(-1);
      section.clusters.forEach((cluster, c) => {
        assert.equal(cluster.members!.length, cluster.size);
        for (const i of cluster.members!) assignment[i] = c;
      });
      assert.ok(assignment.every((c) => c >= 0));
      const medians = naiveMedians(points, assignment, 3);
      section.clusters.forEach((cluster, c) => assert.deepEqual(cluster.centroid, medians.medians[c]));
      assert.equal(section.objective, medians.objective);
      const reference = naiveSilhouette(points, assignment, 3);
      const expected = [...reference.clusters, reference.overall];
      section.silhouette.forEach((s, j) => assert.ok(Math.abs(s - expected[j]) < 1e-12));
      // Seconds, within the run's own wall-clock time (a time in milliseconds would exceed it).
      assert.ok(section.clusteringTime <= wallSeconds, `${section.clusteringTime} s > ${wallSeconds} s`);
    }
    // The three groups are well separated: S2 and S3 find the same partition.
    const s3 = output.sections[2];
    assert.deepEqual(
      s3.clusters.map((c) => c.members),
      [0, 1, 2].map((g) => labels.flatMap((l, i) => l === g ? [i] : [])),
    );
    assert.ok(errors.some((line) => line.includes("wrote")));
  });
});

Deno.test("cluster CLI: without --complete there are no member lists", async () => {
  await withFixture(async ({ paths }) => {
    assert.equal((await runQuiet(argv(paths))).code, 0);
    const text = await Deno.readTextFile(paths.out);
    assert.ok(!text.includes("members"));
  });
});

Deno.test("cluster CLI: each bad input is one error line, exit 2, and no output file", async () => {
  await withFixture(async ({ paths }, dir) => {
    const write = async (name: string, data: string | Uint8Array) => {
      const path = join(dir, name);
      if (typeof data === "string") await Deno.writeTextFile(path, data);
      else await Deno.writeFile(path, data);
      return path;
    };
    const images = await Deno.readFile(paths.images);
    const classesWith = (edit: (members: number[][]) => void) => {
      const classes = classesFromAssignment(Array.from({ length: COUNT }, (_, i) => i % 3));
      edit(classes.members);
      return formatClassesFile(classes);
    };
    const cases: Array<[string, Record<string, string>, RegExp]> = [
      ["missing images", { images: join(dir, "nope.idx") }, /nope.idx: file not found/],
      [
        "wrong magic",
        { images: await write("magic.idx", new Uint8Array([1, 2, 3, 4, 0, 0, 0, 0])) },
        /not an IDX file/,
      ],
      [
        "truncated images",
        { images: await write("short.idx", images.slice(0, images.length - 5)) },
        /truncated data/,
      ],
      ["empty image set", {
        images: await write(
          "empty.idx",
          encodeIdx({ type: "uint8", dims: [0, 4, 4], data: new Uint8Array(0) }),
        ),
      }, /empty image set/],
      ["latent given as images", { images: paths.latent }, /not an image file/],
      ["latent count mismatch", {
        latent: await write(
          "latent40.idx",
          encodeIdx({ type: "int16", dims: [40, 1, 3], data: new Int16Array(120) }),
        ),
      }, /40 latent vectors, but .* has 48 images/],
      ["missing latent", { latent: join(dir, "none.idx") }, /none.idx: file not found/],
      [
        "classes index out of range",
        { classes: await write("c1.txt", classesWith((m) => m[0].push(48))) },
        /index 48 .* out of range/,
      ],
      [
        "classes index duplicated",
        { classes: await write("c2.txt", classesWith((m) => m[1].push(0))) },
        /index 0 appears twice/,
      ],
      [
        "classes index missing",
        { classes: await write("c3.txt", classesWith((m) => m[2].pop())) },
        /1 of 48 image indices are in no class/,
      ],
      ["one class only", {
        classes: await write("c4.txt", formatClassesFile(classesFromAssignment(new Array(COUNT).fill(0)))),
      }, /at least 2 non-empty classes/],
      ["missing classes file", { classes: join(dir, "none.txt") }, /none.txt: file not found/],
      ["config missing", { config: join(dir, "none.conf") }, /none.conf: file not found/],
      [
        "config unreadable (a folder)",
        { config: dir },
        /^cluster: error: -c: .* is a folder, expected a file/,
      ],
      [
        "config unknown key",
        { config: await write("k.conf", "number_of_clusters: 3\nwindow: 4\n") },
        /unknown key "window"/,
      ],
      ["k < 2", { config: await write("k1.conf", "number_of_clusters: 1\n") }, /must be >= 2/],
      [
        "k > n",
        { config: await write("k49.conf", "number_of_clusters: 49\n") },
        /exceeds the number of points \(48\)/,
      ],
      ["no k", { config: await write("k0.conf", "seed: 3\n") }, /number_of_clusters is missing/],
      ["output folder missing", { out: join(dir, "nowhere", "out.txt") }, /-o: .*does not exist/],
    ];
    for (const [label, change, pattern] of cases) {
      const { code, errors } = await runQuiet(argv({ ...paths, ...change }));
      assert.equal(code, 2, `${label}: exit code`);
      assert.equal(errors.length, 1, `${label}: ${errors.join(" | ")}`);
      assert.match(errors[0], /^cluster: error: /, label);
      assert.match(errors[0], pattern, label);
      assert.deepEqual(Array.from(Deno.readDirSync(join(dir, "out"))), [], `${label}: output left behind`);
    }
    for (const bad of [["-c"], ["--bogus", "1"]]) {
      const { code } = await runQuiet([...argv(paths).slice(0, 8), ...bad]);
      assert.equal(code, 2);
    }
  });
});
