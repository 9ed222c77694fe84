/**
 * The Jupyter messaging protocol (version 5.3) on the wire: message headers, HMAC-SHA256 signatures,
 * and the multipart frames `[identities…, "<IDS|MSG>", signature, header, parent_header, metadata,
 * content, buffers…]` that kernels and clients exchange over ZeroMQ.
 * @module
 */
import { createHmac, timingSafeEqual } from "node:crypto";

/** The delimiter frame between routing identities and the signed part of a message. */
export const DELIMITER = "<IDS|MSG>";

/** The protocol version this client speaks. */
export const PROTOCOL_VERSION = "5.3";

/** A Jupyter message header. */
export interface MessageHeader {
  /** Unique id of this message. */
  msg_id: string;
  /** Message type, e.g. `execute_request`. */
  msg_type: string;
  /** Session id of the sender. */
  session: string;
  /** User name of the sender. */
  username: string;
  /** ISO 8601 timestamp. */
  date: string;
  /** Protocol version. */
  version: string;
}

/** A decoded Jupyter message. */
export interface JupyterMessage {
  /** Routing identities (empty for messages received on DEALER/SUB sockets without routing). */
  identities: Uint8Array[];
  /** This message's header. */
  header: MessageHeader;
  /** The header of the request this message answers, or `{}`. */
  parent_header: Partial<MessageHeader>;
  /** Message metadata. */
  metadata: Record<string, unknown>;
  /** Message content (shape depends on `header.msg_type`). */
  content: Record<string, unknown>;
  /** Extra binary buffers. */
  buffers: Uint8Array[];
}

/** Signs and verifies messages with the connection file's key (HMAC-SHA256; an empty key disables signing). */
export interface MessageSigner {
  /** Hex signature of the four JSON parts. */
  sign(parts: Uint8Array[]): string;
}

/**
 * Creates a signer for `key` and `scheme` (the `key` and `signature_scheme` fields of a connection file:
 * `hmac-sha256` by default, any `hmac-<digest>` that node:crypto knows).
 */
export function createSigner(key: string, scheme = "hmac-sha256"): MessageSigner {
  const match = /^hmac-([a-z0-9-]+)$/i.exec(scheme);
  if (!match) throw new Error(`unsupported signature scheme ${scheme} (only hmac-<digest>)`);
  const digest = match[1].toLowerCase();
  if (key !== "") createHmac(digest, key); // throws now on an unknown digest
  return {
    sign(parts: Uint8Array[]): string {
      if (key === "") return "";
      const hmac = createHmac(digest, key);
      for (const part of parts) hmac.update(part);
      return hmac.digest("hex");
    },
  };
}

/** Creates a new header for a message of type `msgType` in `session`. */
export function createHeader(msgType: string, session: string): MessageHeader {
  return {
    msg_id: crypto.randomUUID(),
    msg_type: msgType,
    session,
    username: "latentlab",
    date: new Date().toISOString(),
    version: PROTOCOL_VERSION,
  };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The parts of a message to send (identities and buffers optional). */
export interface OutgoingMessage {
  /** Header (see {@linkcode createHeader}). */
  header: MessageHeader;
  /** Parent header, `{}` for a new request. */
  parent_header?: Partial<MessageHeader>;
  /** Metadata, `{}` by default. */
  metadata?: Record<string, unknown>;
  /** Content. */
  content: Record<string, unknown>;
}

/** Serialises `message` into signed ZeroMQ frames. */
export function encodeMessage(message: OutgoingMessage, signer: MessageSigner): Uint8Array[] {
  const parts = [
    encoder.encode(JSON.stringify(message.header)),
    encoder.encode(JSON.stringify(message.parent_header ?? {})),
    encoder.encode(JSON.stringify(message.metadata ?? {})),
    encoder.encode(JSON.stringify(message.content)),
  ];
  return [encoder.encode(DELIMITER), encoder.encode(signer.sign(parts)), ...parts];
}

/**
 * Parses signed ZeroMQ frames into a message. Throws when the delimiter is missing or the
 * signature does not match (a message from someone without the key).
 */
export function decodeMessage(frames: Uint8Array[], signer: MessageSigner): JupyterMessage {
  const delimiter = frames.findIndex((frame) => decoder.decode(frame) === DELIMITER);
  if (delimiter < 0) throw new Error("Jupyter message without the <IDS|MSG> delimiter");
  if (frames.length < delimiter + 6) {
    throw new Error("Jupyter message with fewer than 5 parts after the delimiter");
  }
  const signature = decoder.decode(frames[delimiter + 1]);
  const parts = frames.slice(delimiter + 2, delimiter + 6);
  const expected = signer.sign(parts);
  const a = encoder.encode(signature);
  const b = encoder.encode(expected);
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    throw new Error("Jupyter message with a bad signature");
  }
  const [header, parent, metadata, content] = parts.map((part) => JSON.parse(decoder.decode(part)));
  return {
    identities: frames.slice(0, delimiter),
    header,
    parent_header: parent,
    metadata,
    content,
    buffers: frames.slice(delimiter + 6),
  };
}
