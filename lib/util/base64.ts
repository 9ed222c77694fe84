/**
 * Base64 of bytes, for the WebAssembly modules embedded in source files, PNG images in notebook
 * outputs and data URLs (no `@std/encoding` here: JSR is unreachable).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeBase64, encodeBase64 } from "./base64.ts";
 *
 * assert.equal(encodeBase64(Uint8Array.of(0, 97, 255)), "AGH/");
 * assert.deepEqual(decodeBase64("AGH/"), Uint8Array.of(0, 97, 255));
 * ```
 * @module
 */

/** Bytes per `String.fromCharCode` call (keeps the argument list well under engine limits). */
const CHUNK = 0x8000;

/** Encodes bytes as base64 (standard alphabet, with padding). */
export function encodeBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += CHUNK) {
    binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  }
  return btoa(binary);
}

/** Decodes base64 (standard alphabet) to bytes; throws on characters outside it. */
export function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
