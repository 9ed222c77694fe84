import assert from "node:assert/strict";
import { closestName, editDistance } from "../../lib/util/suggest.ts";

Deno.test("editDistance: insertions, deletions and substitutions", () => {
  assert.equal(editDistance("", ""), 0);
  assert.equal(editDistance("datset", "dataset"), 1);
  assert.equal(editDistance("kitten", "sitting"), 3);
  assert.equal(editDistance("abc", ""), 3);
});

Deno.test("closestName: a likely typo gets a suggestion, anything else none", () => {
  const names = ["dataset", "seed", "trainLimit", "queryLimit"];
  assert.equal(closestName("datset", names), "dataset");
  assert.equal(
    closestName("train_limit", names, { normalize: (n) => n.toLowerCase().replace(/_/g, "") }),
    "trainLimit",
  );
  assert.equal(closestName("zebra", names), undefined);
  assert.equal(closestName("sed", names, { maxDistance: 0 }), undefined);
});
