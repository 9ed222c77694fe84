/**
 * A minimal ZeroMQ client in TypeScript: ZMTP 3.0 with the NULL mechanism over TCP, enough to be a DEALER
 * or SUB peer of a Jupyter kernel. It replaces the native `zeromq` addon, whose poll callbacks crash Deno
 * (SIGSEGV in `zmq::Poller<...>::Callback`) after sockets are closed while a peer is still sending.
 *
 * Wire format (https://rfc.zeromq.org/spec/23/): a 64-byte greeting each way, a READY command with the
 * socket type, then frames: one flags byte (bit 0 MORE, bit 1 LONG, bit 2 COMMAND), a 1- or 8-byte
 * big-endian size, the body. A SUB peer subscribes by sending a message whose first byte is 1.
 * @module
 */

/** The socket types this client can be. */
export type ZmtpSocketType = "DEALER" | "SUB";

const FLAG_MORE = 0x01;
const FLAG_LONG = 0x02;
const FLAG_COMMAND = 0x04;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The 64-byte ZMTP 3.0 greeting for the NULL mechanism, as a client. */
export function greeting(): Uint8Array {
  const bytes = new Uint8Array(64);
  bytes[0] = 0xff;
  bytes[9] = 0x7f;
  bytes[10] = 3; // version major
  bytes[11] = 0; // version minor
  bytes.set(encoder.encode("NULL"), 12);
  bytes[32] = 0; // as-server: no
  return bytes;
}

/** Encodes one frame. */
export function encodeFrame(body: Uint8Array, flags: number): Uint8Array {
  const long = body.length > 255;
  const header = long ? 9 : 2;
  const out = new Uint8Array(header + body.length);
  out[0] = flags | (long ? FLAG_LONG : 0);
  if (long) new DataView(out.buffer).setBigUint64(1, BigInt(body.length));
  else out[1] = body.length;
  out.set(body, header);
  return out;
}

/** The READY command announcing `type`. */
export function readyCommand(type: ZmtpSocketType): Uint8Array {
  const name = encoder.encode("READY");
  const key = encoder.encode("Socket-Type");
  const value = encoder.encode(type);
  const body = new Uint8Array(1 + name.length + 1 + key.length + 4 + value.length);
  let offset = 0;
  body[offset++] = name.length;
  body.set(name, offset);
  offset += name.length;
  body[offset++] = key.length;
  body.set(key, offset);
  offset += key.length;
  new DataView(body.buffer).setUint32(offset, value.length);
  offset += 4;
  body.set(value, offset);
  return encodeFrame(body, FLAG_COMMAND);
}

/** Reads exact byte counts from a TCP connection. */
class Reader {
  #buffer = new Uint8Array(0);
  #start = 0;
  constructor(private readonly conn: Deno.Conn) {}

  async exactly(n: number): Promise<Uint8Array | null> {
    while (this.#buffer.length - this.#start < n) {
      const chunk = new Uint8Array(Math.max(65536, n));
      const read = await this.conn.read(chunk);
      if (read === null) return null;
      const rest = this.#buffer.subarray(this.#start);
      const merged = new Uint8Array(rest.length + read);
      merged.set(rest);
      merged.set(chunk.subarray(0, read), rest.length);
      this.#buffer = merged;
      this.#start = 0;
    }
    const out = this.#buffer.slice(this.#start, this.#start + n);
    this.#start += n;
    return out;
  }
}

interface Frame {
  flags: number;
  body: Uint8Array;
}

/** Options for {@linkcode ZmtpSocket.connect}. */
export interface ZmtpConnectOptions {
  /** Keep retrying a refused connection (the peer may not listen yet) this long. Default 30 000 ms. */
  timeoutMs?: number;
  /** Stops the retrying (the connect call then rejects). */
  signal?: AbortSignal;
}

/** One ZMTP connection to a peer. */
export class ZmtpSocket {
  readonly #conn: Deno.Conn;
  readonly #reader: Reader;
  #closed = false;
  #writing: Promise<void> = Promise.resolve();

  private constructor(conn: Deno.Conn) {
    this.#conn = conn;
    this.#reader = new Reader(conn);
  }

  /** Connects to `host:port` as a `type` socket and completes the ZMTP handshake. */
  static async connect(
    host: string,
    port: number,
    type: ZmtpSocketType,
    options: ZmtpConnectOptions = {},
  ): Promise<ZmtpSocket> {
    const deadline = performance.now() + (options.timeoutMs ?? 30_000);
    let conn: Deno.TcpConn;
    while (true) {
      try {
        conn = await Deno.connect({ hostname: host, port, transport: "tcp" });
        break;
      } catch (error) {
        if (!(error instanceof Deno.errors.ConnectionRefused) || performance.now() > deadline) throw error;
        if (options.signal?.aborted) throw new Error("ZMTP: connect aborted");
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    conn.setNoDelay(true);
    const socket = new ZmtpSocket(conn);
    try {
      await socket.#handshake(type);
    } catch (error) {
      socket.close();
      throw error;
    }
    return socket;
  }

  async #handshake(type: ZmtpSocketType): Promise<void> {
    await this.#write(greeting());
    const peer = await this.#reader.exactly(64);
    if (!peer || peer[0] !== 0xff || peer[9] !== 0x7f) {
      throw new Error("ZMTP: the peer sent no valid greeting");
    }
    if (peer[10] < 3) throw new Error(`ZMTP: the peer speaks version ${peer[10]}, need 3`);
    const mechanism = decoder.decode(peer.subarray(12, 32)).replace(/\0+$/, "");
    if (mechanism !== "NULL") {
      throw new Error(`ZMTP: the peer wants mechanism ${mechanism}, only NULL is supported`);
    }
    await this.#write(readyCommand(type));
    const frame = await this.#readFrame();
    if (!frame || !(frame.flags & FLAG_COMMAND)) throw new Error("ZMTP: the peer sent no READY command");
    const name = decoder.decode(frame.body.subarray(1, 1 + frame.body[0]));
    if (name === "ERROR") {
      throw new Error(`ZMTP: the peer refused: ${decoder.decode(frame.body.subarray(7))}`);
    }
    if (name !== "READY") throw new Error(`ZMTP: expected READY, got ${name}`);
    if (type === "SUB") await this.send([Uint8Array.of(1)]); // subscribe to everything
  }

  async #readFrame(): Promise<Frame | null> {
    const head = await this.#reader.exactly(2);
    if (!head) return null;
    const flags = head[0];
    let size: number;
    if (flags & FLAG_LONG) {
      const rest = await this.#reader.exactly(7);
      if (!rest) return null;
      const eight = new Uint8Array(8);
      eight[0] = head[1];
      eight.set(rest, 1);
      size = Number(new DataView(eight.buffer).getBigUint64(0));
    } else {
      size = head[1];
    }
    const body = size === 0 ? new Uint8Array(0) : await this.#reader.exactly(size);
    if (!body) return null;
    return { flags, body };
  }

  #write(bytes: Uint8Array): Promise<void> {
    // Serialise writes so that the frames of two messages never interleave.
    this.#writing = this.#writing.then(async () => {
      let written = 0;
      while (written < bytes.length) written += await this.#conn.write(bytes.subarray(written));
    });
    return this.#writing;
  }

  /** Sends one multipart message. */
  send(frames: Uint8Array[]): Promise<void> {
    if (this.#closed) return Promise.reject(new Error("ZMTP: socket closed"));
    const encoded = frames.map((frame, i) => encodeFrame(frame, i < frames.length - 1 ? FLAG_MORE : 0));
    const total = new Uint8Array(encoded.reduce((sum, part) => sum + part.length, 0));
    let offset = 0;
    for (const part of encoded) {
      total.set(part, offset);
      offset += part.length;
    }
    return this.#write(total);
  }

  /** Yields multipart messages until the connection ends or {@linkcode ZmtpSocket.close} is called. Commands (PING …) are skipped. */
  async *messages(): AsyncGenerator<Uint8Array[]> {
    let parts: Uint8Array[] = [];
    while (!this.#closed) {
      let frame: Frame | null;
      try {
        frame = await this.#readFrame();
      } catch {
        return; // closed underneath us
      }
      if (!frame) return;
      if (frame.flags & FLAG_COMMAND) continue;
      parts.push(frame.body);
      if (!(frame.flags & FLAG_MORE)) {
        yield parts;
        parts = [];
      }
    }
  }

  /** Closes the connection. Safe to call twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#conn.close();
    } catch { /* already closed */ }
  }
}
