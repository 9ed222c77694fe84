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

/** A Jupyter connection file. */
export interface ConnectionInfo {
  /** Address the kernel listens on. */
  ip: string;
  /** `tcp` (the only one supported here). */
  transport: string;
  /** Shell (ROUTER) port. */
  shell_port: number;
  /** IOPub (PUB) port. */
  iopub_port: number;
  /** Stdin (ROUTER) port. */
  stdin_port: number;
  /** Control (ROUTER) port. */
  control_port: number;
  /** Heartbeat (REP) port. */
  hb_port: number;
  /** HMAC key of the messages ("" = unsigned). */
  key: string;
  /** `hmac-sha256`, … */
  signature_scheme: string;
  /** Kernel name (informational). */
  kernel_name?: string;
}

/** Options for {@linkcode localConnection}. */
export interface LocalConnectionOptions {
  /** HMAC key of the messages ("" = unsigned). */
  key: string;
  /** Signature scheme. Default `hmac-sha256`. */
  signatureScheme?: string;
  /** Kernel name (informational); left out when absent. */
  kernelName?: string;
}

/**
 * The connection of a kernel listening on 127.0.0.1 over TCP at `ports`, given in the order shell, iopub,
 * stdin, control, heartbeat (e.g. from {@linkcode freePorts}).
 */
export function localConnection(ports: readonly number[], options: LocalConnectionOptions): ConnectionInfo {
  if (ports.length !== 5) throw new Error(`a connection needs 5 ports, got ${ports.length}`);
  const [shell, iopub, stdin, control, hb] = ports;
  return {
    ip: "127.0.0.1",
    transport: "tcp",
    shell_port: shell,
    iopub_port: iopub,
    stdin_port: stdin,
    control_port: control,
    hb_port: hb,
    key: options.key,
    signature_scheme: options.signatureScheme ?? "hmac-sha256",
    kernel_name: options.kernelName,
  };
}

/** `count` distinct free TCP ports on 127.0.0.1 (all held open at once, so none repeats), from the OS. */
export function freePorts(count: number): number[] {
  const listeners = Array.from({ length: count }, () => Deno.listen({ hostname: "127.0.0.1", port: 0 }));
  const ports = listeners.map((listener) => (listener.addr as Deno.NetAddr).port);
  for (const listener of listeners) listener.close();
  return ports;
}

/** Options for {@linkcode executeRequestContent}. */
export interface ExecuteRequestOptions {
  /** `silent`: the kernel broadcasts nothing and counts no execution. Default false. */
  silent?: boolean;
  /** `store_history`: the cell enters the kernel's history. Default true. */
  storeHistory?: boolean;
  /** `allow_stdin`: the code may ask for input. Default false. */
  allowStdin?: boolean;
  /** `stop_on_error`: an error aborts the requests queued after it. Default true. */
  stopOnError?: boolean;
}

/** The content of an `execute_request` that runs `code` (no user expressions). */
export function executeRequestContent(
  code: string,
  options: ExecuteRequestOptions = {},
): Record<string, unknown> {
  return {
    code,
    silent: options.silent ?? false,
    store_history: options.storeHistory ?? true,
    user_expressions: {},
    allow_stdin: options.allowStdin ?? false,
    stop_on_error: options.stopOnError ?? true,
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
