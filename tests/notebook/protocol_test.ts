import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import {
  createHeader,
  createSigner,
  decodeMessage,
  DELIMITER,
  encodeMessage,
} from "../../lib/notebook/protocol.ts";

Deno.test("messages are signed with HMAC-SHA256 over header, parent, metadata and content", () => {
  const signer = createSigner("secret");
  const header = createHeader("execute_request", "session-1");
  const frames = encodeMessage({ header, content: { code: "1 + 1" } }, signer);
  const text = frames.map((frame) => new TextDecoder().decode(frame));
  assert.equal(text[0], DELIMITER);
  const expected = createHmac("sha256", "secret").update(text[2]).update(text[3]).update(text[4]).update(
    text[5],
  ).digest("hex");
  assert.equal(text[1], expected);
  const decoded = decodeMessage([new TextEncoder().encode("identity"), ...frames], signer);
  assert.equal(decoded.header.msg_type, "execute_request");
  assert.deepEqual(decoded.content, { code: "1 + 1" });
  assert.equal(decoded.identities.length, 1);
});

Deno.test("a message with a wrong signature or no delimiter is rejected", () => {
  const frames = encodeMessage({ header: createHeader("status", "s"), content: {} }, createSigner("a"));
  assert.throws(() => decodeMessage(frames, createSigner("b")), /bad signature/);
  assert.throws(() => decodeMessage(frames.slice(1), createSigner("a")), /delimiter/);
  // With an empty key signing is off on both sides.
  const unsigned = encodeMessage(
    { header: createHeader("status", "s"), content: { x: 1 } },
    createSigner(""),
  );
  assert.deepEqual(decodeMessage(unsigned, createSigner("")).content, { x: 1 });
});
