/**
 * A minimal ZeroMQ in TypeScript: ZMTP 3.0 with the NULL mechanism over TCP, both ends of a connection.
 * As a client it is a DEALER or SUB peer of a Jupyter kernel (the headless executor, `jupyter_kernel.ts`,
 * and the kernel proxy's side towards the real kernel); as a server it is the ROUTER, PUB and REP sockets
 * that the kernel proxy (`kernel_proxy.ts`) offers to Jupyter clients.
 *
 * Why not the npm `zeromq` addon: it loads under Deno but crashes it (SIGSEGV in
 * `zmq::Poller<...>::Callback`) after sockets are closed while a peer is still sending, i.e. on the second
 * kernel of a run. Why a server side at all: the Deno kernel (2.9.6) publishes its outputs on a zmq.rs PUB
 * socket whose `try_send` silently drops a message whenever 128 KiB or more are still unsent to that
 * subscriber (its buffer is only written while a message is being sent), so a slow Jupyter client loses
 * outputs. The proxy reads the kernel at once and republishes through {@linkcode PubSocket}, which never
 * drops: each subscriber has its own queue of awaited writes.
 *
 * Wire format (https://rfc.zeromq.org/spec/23/): a 64-byte greeting each way, a READY command with the
 * socket type (and, from DEALER/ROUTER/REQ peers, an optional Identity), then frames: one flags byte (bit 0
 * MORE, bit 1 LONG, bit 2 COMMAND), a 1- or 8-byte big-endian size, the body. A SUB peer subscribes by
 * sending a message whose first byte is 1 (0 cancels), followed by the topic prefix; ZMTP 3.1 peers may send
 * SUBSCRIBE / CANCEL commands instead, and both are understood. A REQ peer starts each request with an
 * empty delimiter frame, which a REP socket returns in front of its reply.
 * @module
 */

/** The socket types this module can be (client: DEALER, SUB; server: ROUTER, PUB, REP). */
export type ZmtpSocketType = "DEALER" | "SUB" | "ROUTER" | "PUB" | "REP";

/** Which peer socket types each socket type accepts (RFC 28, 29, 30). */
const COMPATIBLE_PEERS: Readonly<Record<ZmtpSocketType, readonly string[]>> = {
  DEALER: ["ROUTER", "REP", "DEALER"],
  SUB: ["PUB", "XPUB"],
  ROUTER: ["DEALER", "REQ", "ROUTER"],
  PUB: ["SUB", "XSUB"],
  REP: ["REQ", "DEALER"],
};

const FLAG_MORE = 0x01;
const FLAG_LONG = 0x02;
const FLAG_COMMAND = 0x04;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The 64-byte ZMTP 3.0 greeting for the NULL mechanism (`as-server` is 0 either way for NULL). */
export function greeting(): Uint8Array {
  const bytes = new Uint8Array(64);
  bytes[0] = 0xff;
  bytes[9] = 0x7f;
  bytes[10] = 3; // version major
  bytes[11] = 0; // version minor
  bytes.set(encoder.encode("NULL"), 12);
  bytes[32] = 0; // as-server
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

/** Encodes a command frame: its name (short string) and data. */
export function encodeCommand(name: string, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const nameBytes = encoder.encode(name);
  const body = new Uint8Array(1 + nameBytes.length + data.length);
  body[0] = nameBytes.length;
  body.set(nameBytes, 1);
  body.set(data, 1 + nameBytes.length);
  return encodeFrame(body, FLAG_COMMAND);
}

/** The READY command announcing `type`, with an `Identity` property when `identity` is given. */
export function readyCommand(type: ZmtpSocketType, identity?: Uint8Array): Uint8Array {
  const properties: [string, Uint8Array][] = [["Socket-Type", encoder.encode(type)]];
  if (identity && identity.length > 0) properties.push(["Identity", identity]);
  const parts: Uint8Array[] = [];
  for (const [key, value] of properties) {
    const keyBytes = encoder.encode(key);
    const head = new Uint8Array(1 + keyBytes.length + 4);
    head[0] = keyBytes.length;
    head.set(keyBytes, 1);
    new DataView(head.buffer).setUint32(1 + keyBytes.length, value.length);
    parts.push(head, value);
  }
  return encodeCommand("READY", concatBytes(parts));
}

/** A command frame's name and data. */
export interface ZmtpCommand {
  /** `READY`, `ERROR`, `SUBSCRIBE`, `CANCEL`, `PING`, … */
  name: string;
  /** The bytes after the name. */
  data: Uint8Array;
}

/** Splits a command frame's body into its name and data. Throws on a truncated name. */
export function parseCommand(body: Uint8Array): ZmtpCommand {
  const length = body[0] ?? 0;
  if (body.length < 1 + length) throw new Error("ZMTP: truncated command name");
  return { name: decoder.decode(body.subarray(1, 1 + length)), data: body.subarray(1 + length) };
}

/** The properties of a READY command's data (`Socket-Type`, `Identity`, …; names as sent). */
export function parseProperties(data: Uint8Array): Map<string, Uint8Array> {
  const properties = new Map<string, Uint8Array>();
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let offset = 0;
  while (offset < data.length) {
    const nameLength = data[offset];
    const valueAt = offset + 1 + nameLength + 4;
    if (valueAt > data.length) throw new Error("ZMTP: truncated READY property");
    const name = decoder.decode(data.subarray(offset + 1, offset + 1 + nameLength));
    const valueLength = view.getUint32(offset + 1 + nameLength);
    if (valueAt + valueLength > data.length) throw new Error("ZMTP: truncated READY property value");
    properties.set(name, data.slice(valueAt, valueAt + valueLength));
    offset = valueAt + valueLength;
  }
  return properties;
}

/** Closes `resource`, ignoring that it may be closed already. */
function closeQuietly(resource: { close(): void }): void {
  try {
    resource.close();
  } catch { /* already closed */ }
}

/** The bytes of `parts`, one after another, in a new array. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Reads exact byte counts from a TCP connection (chunks are kept as read and joined only when needed). */
class Reader {
  static readonly SCRATCH = 256 * 1024;
  #chunks: Uint8Array[] = [];
  #available = 0;
  readonly #scratch = new Uint8Array(Reader.SCRATCH);
  constructor(private readonly conn: Deno.Conn) {}

  async exactly(n: number): Promise<Uint8Array | null> {
    while (this.#available < n) {
      const want = n - this.#available;
      // A large frame is read straight into its own buffer; small reads go through one scratch buffer.
      const target = want > Reader.SCRATCH ? new Uint8Array(Math.min(want, 64 << 20)) : this.#scratch;
      const read = await this.conn.read(target);
      if (read === null) return null;
      this.#chunks.push(target === this.#scratch ? target.slice(0, read) : target.subarray(0, read));
      this.#available += read;
    }
    const first = this.#chunks[0];
    if (first.length >= n) {
      const out = first.slice(0, n);
      if (first.length === n) this.#chunks.shift();
      else this.#chunks[0] = first.subarray(n);
      this.#available -= n;
      return out;
    }
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.#chunks[0];
      const take = Math.min(chunk.length, n - filled);
      out.set(chunk.subarray(0, take), filled);
      filled += take;
      if (take === chunk.length) this.#chunks.shift();
      else this.#chunks[0] = chunk.subarray(take);
    }
    this.#available -= n;
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
  /** The Identity property sent in READY (DEALER): a ROUTER peer routes replies to it by this name. */
  identity?: Uint8Array;
  /** A SUB socket's topic prefixes. Default: one empty prefix (everything). */
  subscriptions?: Uint8Array[];
}

/** One ZMTP connection to a peer, from either end. */
export class ZmtpSocket {
  readonly #conn: Deno.Conn;
  readonly #reader: Reader;
  readonly #type: ZmtpSocketType;
  #closed = false;
  #failure: Error | undefined;
  #writing: Promise<void> = Promise.resolve();
  #queued = 0;
  /** The peer's socket type from its READY command. */
  peerType = "";
  /** The peer's Identity property (empty when it sent none). */
  peerIdentity: Uint8Array = new Uint8Array(0);
  /** Called with each command received after the handshake (`SUBSCRIBE`, `CANCEL`; `PING` is answered). */
  onCommand: (command: ZmtpCommand) => void = () => {};

  private constructor(conn: Deno.Conn, type: ZmtpSocketType) {
    this.#conn = conn;
    this.#reader = new Reader(conn);
    this.#type = type;
  }

  /** Connects to `host:port` as a `type` socket (DEALER or SUB) and completes the ZMTP handshake. */
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
    const socket = new ZmtpSocket(conn, type);
    try {
      await socket.#handshake(options.identity);
    } catch (error) {
      socket.close();
      throw error;
    }
    if (type === "SUB") {
      for (const prefix of options.subscriptions ?? [new Uint8Array(0)]) {
        await socket.send([concatBytes([Uint8Array.of(1), prefix])]);
      }
    }
    return socket;
  }

  /**
   * Completes the handshake on an accepted connection as a `type` socket (ROUTER, PUB or REP). Rejects
   * (and closes the connection) when the peer sends no valid greeting or READY within `timeoutMs`, or is
   * of a socket type that `type` does not talk to.
   */
  static async accept(conn: Deno.Conn, type: ZmtpSocketType, timeoutMs = 10_000): Promise<ZmtpSocket> {
    if ("setNoDelay" in conn) (conn as Deno.TcpConn).setNoDelay(true);
    const socket = new ZmtpSocket(conn, type);
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        socket.#handshake(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error("ZMTP: handshake timed out")), timeoutMs);
        }),
      ]);
    } catch (error) {
      socket.close();
      throw error;
    } finally {
      clearTimeout(timer);
    }
    return socket;
  }

  async #handshake(identity?: Uint8Array): Promise<void> {
    const sent = this.#write(greeting());
    const peer = await this.#reader.exactly(64);
    await sent;
    if (!peer || peer[0] !== 0xff || peer[9] !== 0x7f) {
      throw new Error("ZMTP: the peer sent no valid greeting");
    }
    if (peer[10] < 3) throw new Error(`ZMTP: the peer speaks version ${peer[10]}, need 3`);
    const mechanism = decoder.decode(peer.subarray(12, 32)).replace(/\0+$/, "");
    if (mechanism !== "NULL") {
      throw new Error(`ZMTP: the peer wants mechanism ${mechanism}, only NULL is supported`);
    }
    const readySent = this.#write(readyCommand(this.#type, identity));
    const frame = await this.#readFrame();
    await readySent;
    if (!frame || !(frame.flags & FLAG_COMMAND)) throw new Error("ZMTP: the peer sent no READY command");
    const command = parseCommand(frame.body);
    if (command.name === "ERROR") {
      throw new Error(`ZMTP: the peer refused: ${decoder.decode(command.data.subarray(1))}`);
    }
    if (command.name !== "READY") throw new Error(`ZMTP: expected READY, got ${command.name}`);
    const properties = parseProperties(command.data);
    const lookup = (name: string) =>
      [...properties].find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1];
    this.peerType = decoder.decode(lookup("Socket-Type") ?? new Uint8Array(0));
    this.peerIdentity = lookup("Identity") ?? new Uint8Array(0);
    if (!COMPATIBLE_PEERS[this.#type].includes(this.peerType)) {
      const reason = encoder.encode(`${this.#type} does not talk to ${this.peerType || "an unnamed socket"}`);
      await this.#write(encodeCommand("ERROR", concatBytes([Uint8Array.of(reason.length), reason]))).catch(
        () => {},
      );
      throw new Error(`ZMTP: a ${this.#type} socket does not talk to a ${this.peerType} peer`);
    }
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

  /** Queues `bytes` behind earlier writes (frames of two messages never interleave). */
  #write(bytes: Uint8Array): Promise<void> {
    this.#queued += bytes.length;
    const done = this.#writing.then(async () => {
      try {
        if (this.#failure) throw this.#failure;
        let written = 0;
        while (written < bytes.length) written += await this.#conn.write(bytes.subarray(written));
      } catch (error) {
        this.#failure ??= error instanceof Error ? error : new Error(String(error));
        this.close();
        throw this.#failure;
      } finally {
        this.#queued -= bytes.length;
      }
    });
    this.#writing = done.catch(() => {});
    return done;
  }

  /**
   * Sends one multipart message: resolves once it is written to the connection, rejects when the
   * connection failed (then every later send rejects too). Messages go out in the order sent.
   */
  send(frames: Uint8Array[]): Promise<void> {
    if (this.#closed) return Promise.reject(this.#failure ?? new Error("ZMTP: socket closed"));
    return this.#write(
      concatBytes(frames.map((frame, i) => encodeFrame(frame, i < frames.length - 1 ? FLAG_MORE : 0))),
    );
  }

  /** Bytes handed to {@linkcode ZmtpSocket.send} and not yet written. */
  get queuedBytes(): number {
    return this.#queued;
  }

  /** Resolves when everything sent so far is written (or has failed). */
  flushed(): Promise<void> {
    return this.#writing;
  }

  /** Whether {@linkcode ZmtpSocket.close} was called or the connection failed. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Yields multipart messages until the connection ends or {@linkcode ZmtpSocket.close} is called. Commands
   * go to {@linkcode ZmtpSocket.onCommand}; a `PING` is answered with `PONG`.
   */
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
      if (frame.flags & FLAG_COMMAND) {
        let command: ZmtpCommand;
        try {
          command = parseCommand(frame.body);
        } catch {
          continue;
        }
        if (command.name === "PING") {
          // PING: 2-byte TTL, then a context the PONG echoes.
          this.#write(encodeCommand("PONG", command.data.subarray(2))).catch(() => {});
        } else {
          this.onCommand(command);
        }
        continue;
      }
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
    closeQuietly(this.#conn);
  }
}

/** Options for the server sockets ({@linkcode RouterSocket}, {@linkcode PubSocket}, {@linkcode RepSocket}). */
export interface ZmtpListenOptions {
  /** Address to listen on, e.g. `127.0.0.1`. */
  host: string;
  /** Port; 0 picks a free one (see `port`). */
  port: number;
  /** Called with a line about a peer that failed its handshake or was dropped (diagnostics). */
  log?: (line: string) => void;
}

/** Accepts TCP connections and hands each handshaken peer to the socket type that owns the listener. */
abstract class ZmtpServer {
  /** The port listened on. */
  readonly port: number;
  readonly #listener: Deno.TcpListener;
  readonly #peers = new Set<ZmtpSocket>();
  #closed = false;
  protected readonly log: (line: string) => void;

  protected constructor(readonly type: ZmtpSocketType, options: ZmtpListenOptions) {
    this.#listener = Deno.listen({ hostname: options.host, port: options.port, transport: "tcp" });
    this.port = (this.#listener.addr as Deno.NetAddr).port;
    this.log = options.log ?? (() => {});
    this.#acceptLoop();
  }

  async #acceptLoop(): Promise<void> {
    while (!this.#closed) {
      let conn: Deno.Conn;
      try {
        conn = await this.#listener.accept();
      } catch {
        return; // listener closed
      }
      ZmtpSocket.accept(conn, this.type).then((peer) => {
        if (this.#closed) return peer.close();
        this.#peers.add(peer);
        this.#serve(peer);
      }, (error) => this.log(`${this.type}: a peer failed its handshake: ${(error as Error).message}`));
    }
  }

  async #serve(peer: ZmtpSocket): Promise<void> {
    try {
      this.attached(peer);
      for await (const frames of peer.messages()) this.received(peer, frames);
    } finally {
      peer.close();
      this.#peers.delete(peer);
      this.detached(peer);
    }
  }

  /** A peer completed its handshake. */
  protected abstract attached(peer: ZmtpSocket): void;
  /** A message arrived from `peer`. */
  protected abstract received(peer: ZmtpSocket, frames: Uint8Array[]): void;
  /** `peer`'s connection ended. */
  protected abstract detached(peer: ZmtpSocket): void;

  /** The connected peers. */
  get peers(): ReadonlySet<ZmtpSocket> {
    return this.#peers;
  }

  /** Resolves when everything sent to every peer is written, or after `timeoutMs`. */
  async flush(timeoutMs = 2000): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.all([...this.#peers].map((peer) => peer.flushed())),
      new Promise((resolve) => timer = setTimeout(resolve, timeoutMs)),
    ]);
    clearTimeout(timer);
  }

  /** Stops listening and closes every peer. Safe to call twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    closeQuietly(this.#listener);
    for (const peer of this.#peers) peer.close();
  }
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * A ROUTER socket: every message from a peer is delivered with the peer's identity (its `Identity` property,
 * else a generated 5-byte one starting with a zero byte), and {@linkcode RouterSocket.send} routes a message
 * to the peer of that identity. A new peer with an identity already connected takes over (the older
 * connection is closed), as Jupyter clients reconnecting with the same session do.
 */
export class RouterSocket extends ZmtpServer {
  readonly #byIdentity = new Map<string, ZmtpSocket>();
  readonly #identities = new WeakMap<ZmtpSocket, Uint8Array>();
  /** Called with each message and the identity of the peer it came from. */
  onMessage: (identity: Uint8Array, frames: Uint8Array[]) => void = () => {};

  private constructor(options: ZmtpListenOptions) {
    super("ROUTER", options);
  }

  /** Listens on `options.host:options.port`. */
  static listen(options: ZmtpListenOptions): RouterSocket {
    return new RouterSocket(options);
  }

  protected attached(peer: ZmtpSocket): void {
    let identity = peer.peerIdentity;
    if (identity.length === 0 || identity[0] === 0) {
      identity = new Uint8Array(5);
      crypto.getRandomValues(identity.subarray(1));
    }
    const key = hex(identity);
    const previous = this.#byIdentity.get(key);
    if (previous) {
      this.log(`ROUTER: a new peer took over identity ${key}`);
      previous.close();
    }
    this.#byIdentity.set(key, peer);
    this.#identities.set(peer, identity);
  }

  protected received(peer: ZmtpSocket, frames: Uint8Array[]): void {
    const identity = this.#identities.get(peer);
    if (identity) this.onMessage(identity, frames);
  }

  protected detached(peer: ZmtpSocket): void {
    const identity = this.#identities.get(peer);
    if (identity && this.#byIdentity.get(hex(identity)) === peer) this.#byIdentity.delete(hex(identity));
  }

  /** Whether a peer with `identity` is connected. */
  has(identity: Uint8Array): boolean {
    return this.#byIdentity.has(hex(identity));
  }

  /**
   * Sends `frames` to the peer with `identity`. Returns false (and sends nothing) when no such peer is
   * connected, as a ROUTER drops unroutable messages; a peer whose connection fails is closed.
   */
  send(identity: Uint8Array, frames: Uint8Array[]): boolean {
    const peer = this.#byIdentity.get(hex(identity));
    if (!peer) return false;
    peer.send(frames).catch((error) => this.log(`ROUTER: send failed: ${(error as Error).message}`));
    return true;
  }
}

/** Options for {@linkcode PubSocket.listen}. */
export interface PubListenOptions extends ZmtpListenOptions {
  /**
   * A subscriber with more than this many bytes queued and unwritten is disconnected (it stopped reading)
   * rather than holding the proxy's memory; nothing is ever dropped silently. Default 1 GiB.
   */
  maxQueuedBytes?: number;
}

/**
 * A PUB socket that never drops: {@linkcode PubSocket.publish} queues the message for every subscriber whose
 * subscriptions match its first frame, and each subscriber's queue is written in order at the speed that
 * subscriber reads, so a slow one neither loses messages nor holds up the others.
 */
export class PubSocket extends ZmtpServer {
  readonly #subscriptions = new Map<ZmtpSocket, Uint8Array[]>();
  readonly #maxQueued: number;

  private constructor(options: PubListenOptions) {
    super("PUB", options);
    this.#maxQueued = options.maxQueuedBytes ?? 2 ** 30;
  }

  /** Listens on `options.host:options.port`. */
  static listen(options: PubListenOptions): PubSocket {
    return new PubSocket(options);
  }

  protected attached(peer: ZmtpSocket): void {
    this.#subscriptions.set(peer, []);
    peer.onCommand = (command) => {
      if (command.name === "SUBSCRIBE") this.#subscribe(peer, command.data);
      else if (command.name === "CANCEL") this.#cancel(peer, command.data);
    };
  }

  protected received(peer: ZmtpSocket, frames: Uint8Array[]): void {
    const first = frames[0];
    if (frames.length !== 1 || first.length === 0) return;
    if (first[0] === 1) this.#subscribe(peer, first.slice(1));
    else if (first[0] === 0) this.#cancel(peer, first.slice(1));
  }

  protected detached(peer: ZmtpSocket): void {
    this.#subscriptions.delete(peer);
  }

  #subscribe(peer: ZmtpSocket, prefix: Uint8Array): void {
    this.#subscriptions.get(peer)?.push(prefix);
  }

  #cancel(peer: ZmtpSocket, prefix: Uint8Array): void {
    const list = this.#subscriptions.get(peer);
    const index = list?.findIndex((p) => p.length === prefix.length && p.every((b, i) => b === prefix[i]));
    if (list && index !== undefined && index >= 0) list.splice(index, 1);
  }

  /** How many peers have at least one subscription. */
  get subscribers(): number {
    return [...this.#subscriptions.values()].filter((list) => list.length > 0).length;
  }

  /** Queues `frames` for every subscriber whose subscriptions match its first frame (never dropped). */
  publish(frames: Uint8Array[]): void {
    const topic = frames[0] ?? new Uint8Array(0);
    for (const [peer, prefixes] of this.#subscriptions) {
      if (!prefixes.some((prefix) => startsWith(topic, prefix))) continue;
      if (peer.queuedBytes > this.#maxQueued) {
        this.log(`PUB: disconnecting a subscriber that stopped reading (${peer.queuedBytes} bytes queued)`);
        peer.close();
        continue;
      }
      peer.send(frames).catch(() => {/* the peer is gone; its loop cleans up */});
    }
  }
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  if (prefix.length > bytes.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}

/** Options for {@linkcode RepSocket.listen}. */
export interface RepListenOptions extends ZmtpListenOptions {
  /** Computes the reply's frames from a request's frames (after its envelope). Default: echo them. */
  reply?: (request: Uint8Array[]) => Uint8Array[];
}

/**
 * A REP socket: each request's envelope (the frames up to and including the first empty one, which a REQ
 * peer always sends) is returned in front of the reply. With the default reply it echoes, as a Jupyter
 * heartbeat does.
 */
export class RepSocket extends ZmtpServer {
  readonly #reply: (request: Uint8Array[]) => Uint8Array[];

  private constructor(options: RepListenOptions) {
    super("REP", options);
    this.#reply = options.reply ?? ((request) => request);
  }

  /** Listens on `options.host:options.port`. */
  static listen(options: RepListenOptions): RepSocket {
    return new RepSocket(options);
  }

  protected attached(): void {}

  protected received(peer: ZmtpSocket, frames: Uint8Array[]): void {
    const delimiter = frames.findIndex((frame) => frame.length === 0);
    const envelope = delimiter >= 0 ? frames.slice(0, delimiter + 1) : [];
    const body = delimiter >= 0 ? frames.slice(delimiter + 1) : frames;
    peer.send([...envelope, ...this.#reply(body)]).catch(() => {/* the peer is gone */});
  }

  protected detached(): void {}
}
