import assert from "node:assert/strict";
import { join } from "node:path";
import {
  type ClusterOutput,
  formatClusterOutput,
  parseClusterOutput,
  readClusterOutput,
} from "../../lib/cluster/output.ts";
import { InputError } from "../../lib/errors.ts";
import { withTempDir } from "../_helpers.ts";

const sample: ClusterOutput = {
  sections: [
    {
      title: "NEW SPACE",
      clusters: [
        { id: 0, size: 2, centroid: [0, 12, 255] },
        { id: 1, size: 1, centroid: [3, 4, 5] },
      ],
      clusteringTime: 0.123456789,
      silhouette: [0.1, -0.25, 1e-7],
      objective: 1234,
    },
    {
      title: "ORIGINAL SPACE",
      clusters: [
        { id: 0, size: 2, centroid: [1, 1, 1], members: [0, 2] },
        { id: 1, size: 1, centroid: [9, 9, 9], members: [1] },
      ],
      clusteringTime: 2,
      silhouette: [0.5, 0, 1 / 3],
      objective: 0,
    },
    {
      title: "CLASSES AS CLUSTERS",
      clusters: [{ id: 4, size: 3, centroid: [7, 7, 7] }, { id: 7, size: 0, centroid: [0, 0, 0] }],
      clusteringTime: 0.001,
      silhouette: [0.2, 0, 0.2],
      objective: 99,
    },
  ],
};

Deno.test("output: format then parse gives back the same report", () => {
  const text = formatClusterOutput(sample);
  assert.match(text, /^NEW SPACE\nCLUSTER-0 \{size: 2, centroid: \[0, 12, 255\]\}\n/);
  assert.match(text, /CLUSTER-0 \{size: 2, centroid: \[1, 1, 1\], members: \[0, 2\]\}/);
  assert.match(
    text,
    /\nclustering_time: 0.123456789\nSilhouette: \[0.1, -0.25, 1e-7\]\nValue of Objective Function: 1234\n\nORIGINAL SPACE/,
  );
  assert.deepEqual(parseClusterOutput(text, "out"), sample);
});

Deno.test("output: each malformed file is an InputError naming the file and line", () => {
  const good = formatClusterOutput(sample);
  const cases: Array<[string, RegExp]> = [
    ["", /no sections/],
    ["hello\n", /out:1: expected a section title/],
    [good.replace("Silhouette: [0.1, -0.25, 1e-7]", "Silhouette: [0.1, -0.25]"), /has 2 values, expected 3/],
    [good.replace("members: [0, 2]", "members: [0]"), /size 2 but 1 members/],
    [good.replace("clustering_time: 2\n", ""), /expected "clustering_time:"/],
    [good.replace("Value of Objective Function: 1234", "Value of Objective Function: lots"), /not a number/],
    [
      good.replace("CLUSTER-1 {size: 1, centroid: [3, 4, 5]}", "CLUSTER-0 {size: 1, centroid: [3, 4, 5]}"),
      /appears twice/,
    ],
    [good + "NEW SPACE\n", /section NEW SPACE appears twice/],
    [good.replace(/\nValue of Objective Function: 99\n$/, "\n"), /incomplete/],
    ["NEW SPACE\nclustering_time: 1\n", /has no clusters/],
    [good.replace("centroid: [0, 12, 255]", "centroid: [0, x, 255]"), /cannot parse/],
  ];
  for (const [text, pattern] of cases) {
    assert.throws(() => parseClusterOutput(text, "out"), (error: Error) => {
      assert.ok(error instanceof InputError);
      assert.match(error.message, /^out(:\d+)?: /);
      assert.match(error.message, pattern);
      return true;
    });
  }
});

Deno.test("readClusterOutput: reads what formatClusterOutput wrote; a missing file is one InputError", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "out.txt");
    await Deno.writeTextFile(path, formatClusterOutput(sample));
    assert.deepEqual(await readClusterOutput(path), parseClusterOutput(formatClusterOutput(sample), path));
    await assert.rejects(
      readClusterOutput(join(dir, "missing.txt")),
      (error) => error instanceof InputError && /missing\.txt: file not found$/.test(error.message),
    );
  });
});
