import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { decodeBase64, encodeBase64 } from "../../lib/util/base64.ts";
import { createRandom } from "../../lib/util/random.ts";

Deno.test("base64: round trip and agreement with node:buffer, across the chunk size", () => {
  const random = createRandom(5);
  for (const length of [0, 1, 2, 3, 4, 100, 0x8000 - 1, 0x8000, 0x8000 + 1, 3 * 0x8000 + 7]) {
    const bytes = Uint8Array.from({ length }, () => random.int(256));
    const text = encodeBase64(bytes);
    assert.equal(text, Buffer.from(bytes).toString("base64"), `length ${length}`);
    assert.deepEqual(decodeBase64(text), bytes, `length ${length}`);
  }
  assert.throws(() => decodeBase64("not base64!"));
});
