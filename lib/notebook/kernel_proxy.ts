/**
 * A Jupyter kernel proxy in front of the Deno kernel, so that every Jupyter client (classic Notebook,
 * JupyterLab, nbconvert/nbclient, VS Code) gets every output of a cell, in order, before the cell's
 * `idle` status, as the project's own runner (`jupyter_kernel.ts`) does.
 *
 * Why: the Deno kernel (2.9.6) publishes outputs on a zmq.rs PUB socket whose `try_send` writes a
 * subscriber's send buffer only while a message is being sent and silently drops a message whenever 128 KiB
 * or more are still unsent, so a client that reads slowly (nbclient on a busy machine) loses the outputs
 * after a large one; and it publishes `console.*` lines and a cell's last value asynchronously, often after
 * the cell's `idle`, which nbclient ignores, or tagged with the next request, which puts them in the next
 * cell. The proxy fixes both without changing the kernel:
 *
 * - **It reads the kernel at once** (a process that does nothing else) and republishes through its own PUB
 *   socket ({@linkcode PubSocket}), which queues per subscriber and never drops.
 * - **It holds each cell's `idle`** until the cell's late outputs are in: after the kernel's `idle` for an
 *   `execute_request`, it runs a tiny request of its own (silent, not in the history) that prints a random
 *   marker with `console.log` and `console.error`. Output reaches iopub in the order printed, so once both
 *   markers are back every earlier line has been published; outputs the kernel tagged with the marker
 *   request (late lines, a late last value or display) are re-tagged with the cell and re-signed. Then it
 *   waits until the kernel's iopub has been quiet for {@linkcode QUIET_MS} (at most
 *   {@linkcode QUIET_MAX_MS}) and releases the `idle`. The marker request's own messages are not forwarded.
 * - **It forwards one shell request at a time** (the kernel handles them one at a time anyway), the next
 *   only after the previous one's `idle` was released, so a front end that queues several cells at once
 *   (Run All) still gets each cell's late output in that cell.
 *
 * Everything else passes through unchanged (same key, so signatures stay valid): shell, control and stdin
 * (ROUTER sockets; replies are routed back to the client that asked by the request's `msg_id`, since the
 * kernel keeps only its own peer's routing identity), iopub (PUB), heartbeat (answered by the proxy, REP).
 *
 * Process handling (POSIX): Jupyter (jupyter_client 7/8) starts a kernel in a new session and signals its
 * whole process group: SIGINT to interrupt, SIGTERM then SIGKILL to stop. The proxy keeps the kernel in the
 * proxy's group, so a group SIGTERM/SIGKILL (a restart, a shutdown that timed out) ends both, and starts
 * it with SIGINT ignored: the Deno kernel dies on SIGINT, but it supports `interrupt_request` on the control
 * channel, which the proxy sends when it gets SIGINT (signals within {@linkcode INTERRUPT_COALESCE_MS}
 * count once: npm forwards the group's signal again). A small watchdog (`/bin/sh`, SIGINT/SIGTERM/SIGHUP
 * ignored) kills the kernel if the proxy dies without its group (SIGKILL to the proxy's pid alone). A
 * `shutdown_request` passes through; the proxy exits when the kernel exits, with its exit code, after
 * writing what is left to the clients. SIGTERM or SIGHUP to the proxy stops the kernel the same way. Like
 * ipykernel, it also stops the kernel when the Jupyter process that started it (`JPY_PARENT_PID`, set by
 * jupyter_client) is gone: a killed `nbconvert --execute` would otherwise leave its kernel running.
 *
 * On Windows (not checked) the kernel is started directly, without the watchdog and the SIGTERM/SIGHUP
 * handling; Jupyter interrupts there through an event the proxy does not watch, so a kernelspec for Windows
 * would declare `"interrupt_mode": "message"` (the proxy passes `interrupt_request` through).
 *
 * Run: `deno run -A --no-config kernel_proxy.ts --conn <connection file>` (the kernelspec does; see
 * `kernelspec.ts`). It imports only `_zmtp.ts`, `protocol.ts` and node builtins, so the three files can be
 * copied next to a kernel.json.
 * @module
 */
import { PubSocket, RepSocket, RouterSocket, ZmtpSocket } from "./_zmtp.ts";
import {
  type ConnectionInfo,
  createHeader,
  createSigner,
  decodeMessage,
  DELIMITER,
  encodeMessage,
  executeRequestContent,
  type JupyterMessage,
  localConnection,
  type MessageHeader,
  type MessageSigner,
} from "./protocol.ts";

/**
 * After the marker request's markers are back, the kernel's iopub must be silent this long before the
 * cell's `idle` goes out: a margin for a display or last value that the kernel's JavaScript thread sends
 * after the markers its output thread sent. Measured (`LATENTLAB_KERNEL_PROXY_TRACE=1`): in the 47 cells of
 * the five notebooks and the cells of `tests/fixtures/notebooks/output_burst.ipynb`, nothing came after the
 * markers; the markers came 2–96 ms (median 19) after the cell's `idle`, and meanwhile the late outputs
 * (up to 345 `console.log` lines of one cell, displays, last values) that nbconvert would have lost. 100 ms
 * keeps a margin for a loaded machine and costs 0.1 s per cell (the `idle` was held 120 ms in the median).
 */
export const QUIET_MS = 100;

/** The longest the quiet period may last (a cell that left a timer printing keeps iopub busy). */
export const QUIET_MAX_MS = 1000;

/**
 * The longest to wait for the markers after the marker request was answered (a cell that replaced
 * `console.log` never prints them); the `idle` then goes out anyway.
 */
export const FLUSH_TIMEOUT_MS = 10_000;

/**
 * When the kernel answered a request but its `idle` has not come this long after, the proxy publishes an
 * `idle` itself (the kernel's was lost), so the client does not wait forever. Also the wait for requests
 * that get no reply (`comm_msg`, …).
 */
export const IDLE_GRACE_MS = 5000;

/** SIGINTs this close together are one interrupt. */
export const INTERRUPT_COALESCE_MS = 250;

/** How often the proxy checks that the Jupyter process that started it (`JPY_PARENT_PID`) still runs. */
export const PARENT_POLL_MS = 1000;

/**
 * The range the proxy takes the kernel's ports from: below the ephemeral ports (Linux 32768–60999, macOS and
 * Windows 49152–65535) that Jupyter clients pick theirs from (bind to port 0) and that outgoing connections
 * use, so that a kernel the proxy starts never takes a port another Jupyter client has just chosen for a
 * kernel it is starting (as happens with many kernels starting at once, e.g. the test suite).
 */
export const INNER_PORT_RANGE: readonly [number, number] = [20000, 32767];

/** How long the proxy retries binding a port of the connection file that is in use (another process may probe it). */
export const LISTEN_RETRY_MS = 3000;

/** `count` distinct ports of {@linkcode INNER_PORT_RANGE} free on 127.0.0.1 now (tried by binding them). */
export function innerPorts(count: number): number[] {
  const [low, high] = INNER_PORT_RANGE;
  const listeners: Deno.TcpListener[] = [];
  try {
    for (let tries = 0; listeners.length < count; tries++) {
      const port = low + Math.floor(Math.random() * (high - low + 1));
      try {
        listeners.push(Deno.listen({ hostname: "127.0.0.1", port }));
      } catch (error) {
        if (!(error instanceof Deno.errors.AddrInUse) || tries > 1000) throw error;
      }
    }
    return listeners.map((listener) => (listener.addr as Deno.NetAddr).port);
  } finally {
    for (const listener of listeners) listener.close();
  }
}

/** Reads and checks a connection file; a missing, unreadable or non-JSON file throws a one-line message. */
export async function readConnectionFile(path: string): Promise<ConnectionInfo> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new Error(
      `${path}: ${error instanceof Deno.errors.NotFound ? "file not found" : (error as Error).message}`,
    );
  }
  let info: ConnectionInfo;
  try {
    info = JSON.parse(text);
  } catch {
    throw new Error(`${path}: not a JSON connection file`);
  }
  for (const port of ["shell_port", "iopub_port", "stdin_port", "control_port", "hb_port"] as const) {
    if (!Number.isInteger(info[port])) throw new Error(`${path}: ${port} is missing`);
  }
  if ((info.transport ?? "tcp") !== "tcp") {
    throw new Error(`${path}: transport ${info.transport} is not supported (only tcp)`);
  }
  return {
    ...info,
    transport: "tcp",
    key: info.key ?? "",
    signature_scheme: info.signature_scheme ?? "hmac-sha256",
  };
}

/** Options for {@linkcode KernelProxy.start}. */
export interface KernelProxyOptions {
  /** The client's connection file (the ports the proxy serves). */
  connectionFile: string;
  /** The Deno binary that runs the kernel. Default {@linkcode Deno.execPath} (the one running the proxy). */
  denoPath?: string;
  /** Diagnostics (default: stderr, prefixed). */
  log?: (line: string) => void;
  /** Timing lines about each held `idle` (default: when `LATENTLAB_KERNEL_PROXY_TRACE` is set). */
  trace?: boolean;
  /**
   * Stop the kernel when this process is gone (checked every {@linkcode PARENT_POLL_MS}; Linux, through
   * /proc). Default: `JPY_PARENT_PID` from the environment, as jupyter_client sets it; 0 = never.
   */
  parentPid?: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The header and parent of a message, parsed without touching its (possibly large) content. */
interface Peeked {
  delimiter: number;
  header: MessageHeader;
  parent: Partial<MessageHeader>;
}

function peek(frames: Uint8Array[]): Peeked | undefined {
  const delimiter = frames.findIndex((frame) => frame.length === 9 && decoder.decode(frame) === DELIMITER);
  if (delimiter < 0 || frames.length < delimiter + 6) return undefined;
  try {
    return {
      delimiter,
      header: JSON.parse(decoder.decode(frames[delimiter + 2])),
      parent: JSON.parse(decoder.decode(frames[delimiter + 3])),
    };
  } catch {
    return undefined;
  }
}

/** Where a client's request came from, to route its reply (and its stdin requests) back. */
interface Route {
  /** ROUTER identity of the client's connection. */
  identity: Uint8Array;
  /** Frames the client put before the delimiter (returned in front of the reply). */
  prefix: Uint8Array[];
}

/** A client's shell request waiting for, or in, the kernel. */
interface ShellRequest {
  route: Route;
  /** From the delimiter on. */
  frames: Uint8Array[];
  header: MessageHeader;
}

/** The shell request the kernel is handling, and how far its end has got. */
interface InFlight {
  request: ShellRequest;
  replied: boolean;
  /** The kernel's `idle` for it, held back (execute requests) until the flush is done. */
  idle?: Uint8Array[];
  graceTimer?: ReturnType<typeof setTimeout>;
  flush?: Flush;
  sentAt: number;
}

/** The marker request run after a cell. */
interface Flush {
  msgId: string;
  marker: string;
  replied: boolean;
  failed: boolean;
  idle: boolean;
  stdout: boolean;
  stderr: boolean;
  startedAt: number;
  timer?: ReturnType<typeof setTimeout>;
  quiet?: { since: number; timer?: ReturnType<typeof setTimeout> };
  /** Messages that came during the quiet period: type and ms after the markers (for the trace). */
  late: string[];
  /** Messages after the cell's idle and before the markers, by type and tag (for the trace). */
  caught: Map<string, number>;
}

/** The proxy's sockets towards the clients (the connection file's ports). */
interface Outer {
  shell: RouterSocket;
  control: RouterSocket;
  stdin: RouterSocket;
  iopub: PubSocket;
  hb: RepSocket;
}

/** The proxy's sockets towards the kernel. */
interface Inner {
  shell: ZmtpSocket;
  control: ZmtpSocket;
  stdin: ZmtpSocket;
  iopub: ZmtpSocket;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Keeps at most `limit` entries, dropping the oldest. */
function remember<K, V>(map: Map<K, V>, key: K, value: V, limit = 4096): void {
  map.set(key, value);
  while (map.size > limit) map.delete(map.keys().next().value as K);
}

/** A running proxy: the client-side sockets, the kernel process and the connections to it. */
export class KernelProxy {
  /** Resolves with the exit code the proxy should exit with (the kernel's) once the kernel has exited. */
  readonly exited: Promise<number>;
  /** Process id of the kernel (its current one; 0 before it started). */
  kernelPid = 0;

  readonly #connection: ConnectionInfo;
  readonly #signer: MessageSigner;
  readonly #session = crypto.randomUUID();
  readonly #log: (line: string) => void;
  readonly #trace: boolean;
  readonly #denoPath: string;
  readonly #shell: RouterSocket;
  readonly #control: RouterSocket;
  readonly #stdin: RouterSocket;
  readonly #iopub: PubSocket;
  readonly #hb: RepSocket;
  #inner: Inner | undefined;
  #ready = false;
  #child: Deno.ChildProcess | undefined;
  #watchdog: Deno.ChildProcess | undefined;
  #innerFile = "";
  readonly #routes = new Map<string, Route>();
  /** Requests the proxy made itself: their replies and iopub messages are not forwarded. */
  readonly #own = new Map<string, true>();
  /** Marker request id → the cell's header: late outputs tagged with the marker request go to the cell. */
  readonly #retag = new Map<string, MessageHeader>();
  readonly #shellQueue: ShellRequest[] = [];
  readonly #pendingControl: Uint8Array[][] = [];
  readonly #pendingStdin: Uint8Array[][] = [];
  #current: InFlight | undefined;
  #lastIopubAt = 0;
  #lastInterruptAt = -Infinity;
  #innerReaders: Promise<void>[] = [];
  #stopping = false;
  readonly #resolveExit: (code: number) => void;

  private constructor(connection: ConnectionInfo, options: KernelProxyOptions, sockets: Outer) {
    this.#connection = connection;
    this.#signer = createSigner(connection.key, connection.signature_scheme);
    this.#log = options.log!;
    this.#trace = options.trace ?? Deno.env.get("LATENTLAB_KERNEL_PROXY_TRACE") !== undefined;
    this.#denoPath = options.denoPath ?? Deno.execPath();
    this.#shell = sockets.shell;
    this.#control = sockets.control;
    this.#stdin = sockets.stdin;
    this.#iopub = sockets.iopub;
    this.#hb = sockets.hb;
    this.#shell.onMessage = (identity, frames) => this.#fromClientShell(identity, frames);
    this.#control.onMessage = (identity, frames) => this.#fromClient("control", identity, frames);
    this.#stdin.onMessage = (identity, frames) => this.#fromClient("stdin", identity, frames);
    let resolveExit!: (code: number) => void;
    this.exited = new Promise((resolve) => resolveExit = resolve);
    this.#resolveExit = resolveExit;
    const parent = options.parentPid ?? Number(Deno.env.get("JPY_PARENT_PID") ?? 0);
    if (parent > 0 && Deno.build.os === "linux") this.#watchParent(parent);
  }

  /** Stops the kernel once process `pid` (the Jupyter client that started the proxy) has exited. */
  #watchParent(pid: number): void {
    const alive = () => {
      try {
        Deno.statSync(`/proc/${pid}`);
        return true;
      } catch {
        return false;
      }
    };
    if (!alive()) return; // not a process of this machine's view: do not guess
    const timer = setInterval(() => {
      if (this.#finished) return clearInterval(timer);
      if (alive()) return;
      clearInterval(timer);
      this.#log(`the Jupyter process that started the kernel (pid ${pid}) is gone; stopping the kernel`);
      this.terminate();
    }, PARENT_POLL_MS);
  }

  /**
   * Listens on the connection file's ports, starts the kernel (`deno jupyter --kernel`) on fresh ports of
   * 127.0.0.1 with the same key, and connects to it. Returns at once; client requests wait until the
   * kernel answers. A kernel that exits while starting is started once more (a port may have been taken).
   */
  static async start(options: KernelProxyOptions): Promise<KernelProxy> {
    const connection = await readConnectionFile(options.connectionFile);
    const log = options.log ?? ((line: string) => console.error(`[latentlab kernel proxy] ${line}`));
    const proxy = new KernelProxy(
      connection,
      { ...options, log },
      await KernelProxy.#listen(connection, log),
    );
    proxy.#run();
    return proxy;
  }

  /** Listens on the connection file's five ports; a port in use is tried again for {@linkcode LISTEN_RETRY_MS}. */
  static async #listen(connection: ConnectionInfo, log: (line: string) => void): Promise<Outer> {
    const deadline = performance.now() + LISTEN_RETRY_MS;
    while (true) {
      const opened: { close(): void }[] = [];
      const listen = <T extends { close(): void }>(make: () => T): T => {
        const socket = make();
        opened.push(socket);
        return socket;
      };
      const at = (port: number) => ({ host: connection.ip, port, log });
      try {
        return {
          shell: listen(() => RouterSocket.listen(at(connection.shell_port))),
          control: listen(() => RouterSocket.listen(at(connection.control_port))),
          stdin: listen(() => RouterSocket.listen(at(connection.stdin_port))),
          iopub: listen(() => PubSocket.listen(at(connection.iopub_port))),
          hb: listen(() => RepSocket.listen(at(connection.hb_port))),
        };
      } catch (error) {
        for (const socket of opened) socket.close();
        if (!(error instanceof Deno.errors.AddrInUse) || performance.now() > deadline) throw error;
        await sleep(100);
      }
    }
  }

  async #run(): Promise<void> {
    let status: Deno.CommandStatus | undefined;
    for (let attempt = 1; attempt <= 2 && !this.#stopping; attempt++) {
      status = await this.#runKernel();
      if (this.#ready || this.#stopping) break;
      this.#log(
        `the kernel exited while starting (code ${status.code})${attempt === 1 ? "; starting it again" : ""}`,
      );
    }
    await this.#finish(status?.code ?? 1);
  }

  /** One kernel process from start to exit. */
  async #runKernel(): Promise<Deno.CommandStatus> {
    const inner: ConnectionInfo = {
      ...this.#connection,
      ...localConnection(innerPorts(5), {
        key: this.#connection.key,
        signatureScheme: this.#connection.signature_scheme,
        kernelName: this.#connection.kernel_name,
      }),
    };
    this.#innerFile = await Deno.makeTempFile({ prefix: "latentlab-kernel-proxy-", suffix: ".json" });
    await Deno.writeTextFile(this.#innerFile, JSON.stringify(inner));
    const args = ["jupyter", "--kernel", "--conn", this.#innerFile];
    const posix = Deno.build.os !== "windows";
    let child: Deno.ChildProcess;
    try {
      // Through /bin/sh with SIGINT ignored (kept across exec): the proxy interrupts with interrupt_request.
      child = new Deno.Command(posix ? "/bin/sh" : this.#denoPath, {
        args: posix ? ["-c", 'trap "" INT; exec "$0" "$@"', this.#denoPath, ...args] : args,
        stdin: "null",
        stdout: "inherit",
        stderr: "inherit",
      }).spawn();
    } catch (error) {
      await Deno.remove(this.#innerFile).catch(() => {});
      this.#log(`cannot start the kernel (${this.#denoPath}): ${(error as Error).message}`);
      return { success: false, code: 1, signal: null };
    }
    this.#child = child;
    this.kernelPid = child.pid;
    if (posix) this.#startWatchdog(child.pid);
    const exited = child.status;
    const stop = new AbortController();
    exited.then(() => stop.abort());
    try {
      const connect = (port: number, type: "DEALER" | "SUB", identity?: Uint8Array) =>
        ZmtpSocket.connect("127.0.0.1", port, type, { timeoutMs: 60_000, signal: stop.signal, identity });
      // Shell and stdin share one identity: the kernel sends input_request to the shell request's peer.
      const identity = encoder.encode(`latentlab-proxy-${this.#session}`);
      const sockets = await Promise.all([
        connect(inner.shell_port, "DEALER", identity),
        connect(inner.control_port, "DEALER"),
        connect(inner.stdin_port, "DEALER", identity),
        connect(inner.iopub_port, "SUB"),
      ]);
      this.#inner = { shell: sockets[0], control: sockets[1], stdin: sockets[2], iopub: sockets[3] };
      this.#innerReaders = [
        this.#readInner(this.#inner.shell, (frames) => this.#fromKernelShell(frames)),
        this.#readInner(this.#inner.control, (frames) => this.#fromKernel("control", frames)),
        this.#readInner(this.#inner.stdin, (frames) => this.#fromKernel("stdin", frames)),
        this.#readInner(this.#inner.iopub, (frames) => this.#fromKernelIopub(frames)),
      ];
      await this.#waitKernelReady(exited);
    } catch (error) {
      if (!stop.signal.aborted) this.#log(`cannot reach the kernel: ${(error as Error).message}`);
    }
    const status = await exited;
    await Promise.race([Promise.all(this.#innerReaders), sleep(1000)]);
    if (this.#inner) { for (const socket of Object.values(this.#inner)) socket.close(); }
    this.#inner = undefined;
    await Deno.remove(this.#innerFile).catch(() => {});
    return status;
  }

  /** A `/bin/sh` that kills the kernel when the proxy's end of its stdin closes (the proxy died). */
  #startWatchdog(pid: number): void {
    try {
      this.#watchdog?.kill("SIGKILL");
    } catch { /* gone */ }
    try {
      this.#watchdog = new Deno.Command("/bin/sh", {
        args: ["-c", `trap "" INT TERM HUP; read _; kill -KILL ${pid} 2>/dev/null`],
        stdin: "piped",
        stdout: "null",
        stderr: "null",
      }).spawn();
    } catch (error) {
      this.#log(`no watchdog: ${(error as Error).message}`);
    }
  }

  /** Repeats kernel_info_request until the kernel answers and its iopub reaches the proxy. */
  async #waitKernelReady(exited: Promise<Deno.CommandStatus>): Promise<void> {
    let gone = false;
    exited.then(() => gone = true);
    let iopubSeen = false;
    let replied = false;
    const iopubBefore = this.#lastIopubAt;
    while (!gone && !this.#stopping) {
      const msgId = this.#sendOwn("shell", "kernel_info_request", {});
      const waitUntil = performance.now() + 500;
      while (performance.now() < waitUntil && !gone) {
        if (this.#ownReplies.has(msgId)) replied = true;
        if (this.#lastIopubAt !== iopubBefore) iopubSeen = true;
        if (replied && iopubSeen) break;
        await sleep(10);
      }
      if (replied && iopubSeen) break;
    }
    if (gone || this.#stopping) return;
    this.#ready = true;
    for (const frames of this.#pendingControl.splice(0)) this.#inner?.control.send(frames).catch(() => {});
    for (const frames of this.#pendingStdin.splice(0)) this.#inner?.stdin.send(frames).catch(() => {});
    this.#pump();
  }

  /** Own requests the kernel has answered on shell. */
  readonly #ownReplies = new Map<string, true>();

  async #readInner(socket: ZmtpSocket, handle: (frames: Uint8Array[]) => void): Promise<void> {
    for await (const frames of socket.messages()) {
      try {
        handle(frames);
      } catch (error) {
        this.#log(`a kernel message could not be handled: ${(error as Error).stack}`);
      }
    }
  }

  /** Sends a signed request of the proxy's own to the kernel; its answers are not forwarded. */
  #sendOwn(channel: "shell" | "control", msgType: string, content: Record<string, unknown>): string {
    const header = createHeader(msgType, this.#session);
    header.username = "latentlab-kernel-proxy";
    remember(this.#own, header.msg_id, true);
    const socket = this.#inner?.[channel];
    socket?.send(encodeMessage({ header, content }, this.#signer)).catch(() => {});
    return header.msg_id;
  }

  // ---- from the clients ----

  #verify(frames: Uint8Array[], channel: string): JupyterMessage | undefined {
    try {
      return decodeMessage(frames, this.#signer);
    } catch (error) {
      this.#log(`${channel}: dropped a client message: ${(error as Error).message}`);
      return undefined;
    }
  }

  #fromClientShell(identity: Uint8Array, frames: Uint8Array[]): void {
    const message = this.#verify(frames, "shell");
    if (!message) return;
    const route = { identity, prefix: message.identities };
    remember(this.#routes, message.header.msg_id, route);
    this.#shellQueue.push({ route, frames: frames.slice(message.identities.length), header: message.header });
    this.#pump();
  }

  #fromClient(channel: "control" | "stdin", identity: Uint8Array, frames: Uint8Array[]): void {
    const message = this.#verify(frames, channel);
    if (!message) return;
    remember(this.#routes, message.header.msg_id, { identity, prefix: message.identities });
    const body = frames.slice(message.identities.length);
    if (!this.#ready || !this.#inner) {
      (channel === "control" ? this.#pendingControl : this.#pendingStdin).push(body);
      return;
    }
    this.#inner[channel].send(body).catch(() => {});
  }

  /** Forwards the next queued shell request when the kernel has finished the previous one. */
  #pump(): void {
    if (!this.#ready || !this.#inner || this.#current || this.#stopping) return;
    const request = this.#shellQueue.shift();
    if (!request) return;
    const current: InFlight = { request, replied: false, sentAt: performance.now() };
    this.#current = current;
    this.#inner.shell.send(request.frames).catch(() => {});
    if (!request.header.msg_type.endsWith("_request")) {
      // comm_msg and the like get no reply: their idle, or the grace period, ends them.
      current.graceTimer = setTimeout(() => this.#idleMissing(current), IDLE_GRACE_MS);
    }
  }

  // ---- from the kernel ----

  #fromKernelShell(frames: Uint8Array[]): void {
    const peeked = peek(frames);
    if (!peeked) return;
    const parentId = peeked.parent.msg_id ?? "";
    if (this.#own.has(parentId)) {
      remember(this.#ownReplies, parentId, true, 256);
      const flush = this.#current?.flush;
      if (flush && flush.msgId === parentId) {
        flush.replied = true;
        try {
          const content = JSON.parse(decoder.decode(frames[peeked.delimiter + 5]));
          if (content.status !== "ok") flush.failed = true;
        } catch { /* keep waiting for the markers */ }
        this.#checkFlush();
      }
      return;
    }
    this.#toClient(this.#shell, parentId, frames.slice(peeked.delimiter));
    const current = this.#current;
    if (current && current.request.header.msg_id === parentId && !current.replied) {
      current.replied = true;
      if (!current.idle && current.graceTimer === undefined) {
        current.graceTimer = setTimeout(() => this.#idleMissing(current), IDLE_GRACE_MS);
      }
    }
  }

  #fromKernel(channel: "control" | "stdin", frames: Uint8Array[]): void {
    const peeked = peek(frames);
    if (!peeked) return;
    const parentId = peeked.parent.msg_id ?? "";
    if (this.#own.has(parentId)) return;
    const body = frames.slice(peeked.delimiter);
    if (channel === "control") {
      this.#toClient(this.#control, parentId, body);
      return;
    }
    // input_request: to the stdin connection of the client whose execute_request asked.
    const route = this.#routes.get(parentId);
    if (!route || !this.#stdin.send(route.identity, [...route.prefix, ...body])) {
      this.#log(`stdin: no client connection for ${peeked.header.msg_type} (parent ${parentId})`);
    }
  }

  #toClient(socket: RouterSocket, parentId: string, body: Uint8Array[]): void {
    const route = this.#routes.get(parentId);
    if (!route) {
      this.#log(`a reply to an unknown request (${parentId}) was dropped`);
      return;
    }
    socket.send(route.identity, [...route.prefix, ...body]);
  }

  #fromKernelIopub(frames: Uint8Array[]): void {
    this.#lastIopubAt = performance.now();
    const peeked = peek(frames);
    if (!peeked) return;
    const parentId = peeked.parent.msg_id ?? "";
    const type = peeked.header.msg_type;
    const current = this.#current;
    const flush = current?.flush;
    if (this.#trace && flush) this.#traceLate(flush, current!, parentId, type);
    if (flush && parentId === flush.msgId) {
      this.#fromFlush(current!, flush, frames, peeked);
      return;
    }
    const cell = this.#retag.get(parentId);
    if (cell) {
      // A late output of an earlier cell, tagged with its (finished) marker request.
      if (type !== "status" && type !== "execute_input") this.#publishRetagged(frames, cell);
      return;
    }
    if (this.#own.has(parentId)) return;
    if (current && parentId === current.request.header.msg_id && type === "status") {
      const state = this.#statusOf(frames, peeked);
      if (state === "idle") {
        if (current.idle) return; // the proxy published one already (see #idleMissing)
        clearTimeout(current.graceTimer);
        current.graceTimer = undefined;
        this.#releaseIdle(current, frames);
        return;
      }
    }
    this.#iopub.publish(frames);
  }

  #statusOf(frames: Uint8Array[], peeked: Peeked): string | undefined {
    try {
      return JSON.parse(decoder.decode(frames[peeked.delimiter + 5])).execution_state;
    } catch {
      return undefined;
    }
  }

  /** No `idle` came for the request in flight: publish one (signed by the proxy) so the client goes on. */
  #idleMissing(current: InFlight): void {
    if (this.#current !== current || current.idle) return;
    current.graceTimer = undefined;
    this.#log(
      `no idle from the kernel for ${current.request.header.msg_type} ${current.request.header.msg_id}; publishing one`,
    );
    const header = createHeader("status", this.#session);
    const frames = [
      encoder.encode("kernel.status"),
      ...encodeMessage(
        { header, parent_header: current.request.header, content: { execution_state: "idle" } },
        this.#signer,
      ),
    ];
    this.#releaseIdle(current, frames);
  }

  /**
   * The `idle` of the request in flight: for an `execute_request` it is held until the cell's late outputs
   * are flushed (see {@linkcode KernelProxy}); any other request's goes out now and the request is complete.
   */
  #releaseIdle(current: InFlight, idle: Uint8Array[]): void {
    if (current.request.header.msg_type === "execute_request") {
      current.idle = idle;
      this.#startFlush(current);
    } else {
      this.#iopub.publish(idle);
      this.#complete(current);
    }
  }

  #startFlush(current: InFlight): void {
    const marker = `latentlab-proxy-flush-${crypto.randomUUID()}`;
    const msgId = this.#sendOwn(
      "shell",
      "execute_request",
      executeRequestContent(
        `console.log(${JSON.stringify(marker)}); console.error(${JSON.stringify(marker)});`,
        { silent: true, storeHistory: false, stopOnError: false },
      ),
    );
    remember(this.#retag, msgId, current.request.header, 64);
    const flush: Flush = {
      msgId,
      marker,
      replied: false,
      failed: false,
      idle: false,
      stdout: false,
      stderr: false,
      startedAt: performance.now(),
      late: [],
      caught: new Map(),
    };
    current.flush = flush;
  }

  #fromFlush(current: InFlight, flush: Flush, frames: Uint8Array[], peeked: Peeked): void {
    const type = peeked.header.msg_type;
    if (type === "status") {
      if (this.#statusOf(frames, peeked) === "idle") {
        flush.idle = true;
        this.#checkFlush();
      }
      return;
    }
    if (type === "execute_input" || type === "error") return;
    if (type === "stream") {
      const message = decodeMessage(frames, this.#signer);
      const name = message.content.name === "stderr" ? "stderr" : "stdout";
      let text = String(message.content.text ?? "");
      if (text.includes(flush.marker)) {
        flush[name] = true;
        text = text.replace(`${flush.marker}\n`, "").replace(flush.marker, "");
      }
      if (text !== "") {
        this.#publishRetagged(frames, current.request.header, { ...message.content, text }, message);
      }
      this.#checkFlush();
      return;
    }
    // A late display or last value of the cell (the kernel tagged it with the request then running).
    this.#publishRetagged(frames, current.request.header);
  }

  /** Publishes an iopub message with `parent` as its parent (re-signed), optionally with other content. */
  #publishRetagged(
    frames: Uint8Array[],
    parent: MessageHeader,
    content?: Record<string, unknown>,
    decoded?: JupyterMessage,
  ): void {
    let message: JupyterMessage;
    try {
      message = decoded ?? decodeMessage(frames, this.#signer);
    } catch (error) {
      this.#log(`iopub: dropped a message of the kernel: ${(error as Error).message}`);
      return;
    }
    const signed = encodeMessage({
      header: message.header,
      parent_header: parent,
      metadata: message.metadata,
      content: content ?? message.content,
    }, this.#signer);
    this.#iopub.publish([...message.identities, ...signed, ...message.buffers]);
  }

  #checkFlush(): void {
    const current = this.#current;
    const flush = current?.flush;
    if (!current || !flush || flush.quiet) return;
    const markers = flush.stdout && flush.stderr;
    if (flush.replied && flush.idle && (markers || flush.failed)) {
      clearTimeout(flush.timer);
      this.#startQuiet(current, flush);
    } else if (flush.replied && flush.timer === undefined) {
      flush.timer = setTimeout(() => {
        this.#log(`the flush markers did not come back within ${FLUSH_TIMEOUT_MS} ms; releasing idle`);
        this.#startQuiet(current, flush);
      }, FLUSH_TIMEOUT_MS);
    }
  }

  #traceLate(flush: Flush, current: InFlight, parentId: string, type: string): void {
    const tag = parentId === flush.msgId
      ? "marker"
      : parentId === current.request.header.msg_id
      ? "cell"
      : "other";
    if (flush.quiet) {
      flush.late.push(`${type}/${tag} +${(this.#lastIopubAt - flush.quiet.since).toFixed(0)} ms`);
    } else {
      flush.caught.set(`${type}/${tag}`, (flush.caught.get(`${type}/${tag}`) ?? 0) + 1);
    }
  }

  #startQuiet(current: InFlight, flush: Flush): void {
    if (flush.quiet) return;
    const markersAt = performance.now();
    flush.quiet = { since: markersAt };
    const check = () => {
      if (this.#current !== current) return;
      const now = performance.now();
      const silent = now - this.#lastIopubAt;
      if (silent >= QUIET_MS || now - markersAt >= QUIET_MAX_MS) {
        if (this.#trace) {
          this.#log(
            `trace: ${current.request.header.msg_id}: idle held ${(now - flush.startedAt).toFixed(0)} ms ` +
              `(markers after ${(markersAt - flush.startedAt).toFixed(0)} ms); between idle and markers: ` +
              ([...flush.caught].map(([key, n]) => `${n} ${key}`).join(", ") || "nothing") +
              `; after the markers: ${flush.late.join(", ") || "nothing"}`,
          );
        }
        this.#iopub.publish(current.idle!);
        this.#complete(current);
        return;
      }
      flush.quiet!.timer = setTimeout(check, Math.max(1, QUIET_MS - silent));
    };
    check();
  }

  #complete(current: InFlight): void {
    if (this.#current !== current) return;
    clearTimeout(current.graceTimer);
    if (current.flush) {
      clearTimeout(current.flush.timer);
      clearTimeout(current.flush.quiet?.timer);
    }
    this.#current = undefined;
    this.#pump();
  }

  // ---- signals and exit ----

  /** SIGINT: interrupt the running cell (interrupt_request on the kernel's control channel). */
  interrupt(): void {
    const now = performance.now();
    if (now - this.#lastInterruptAt < INTERRUPT_COALESCE_MS) return;
    this.#lastInterruptAt = now;
    if (!this.#ready) return;
    this.#sendOwn("control", "interrupt_request", {});
  }

  /** SIGTERM / SIGHUP: stop the kernel (SIGTERM, SIGKILL after `graceMs`); the proxy then exits. */
  terminate(graceMs = 5000): void {
    if (this.#stopping) return;
    this.#stopping = true;
    const child = this.#child;
    if (!child) {
      this.#finish(143);
      return;
    }
    try {
      child.kill("SIGTERM");
    } catch { /* gone */ }
    const timer = setTimeout(() => {
      try {
        child.kill("SIGKILL");
      } catch { /* gone */ }
    }, graceMs);
    child.status.finally(() => clearTimeout(timer));
  }

  #finished = false;

  async #finish(code: number): Promise<void> {
    if (this.#finished) return;
    this.#finished = true;
    this.#stopping = true;
    // What the kernel said last (a shutdown_reply, the last outputs) still goes to the clients.
    if (this.#current?.idle) this.#iopub.publish(this.#current.idle);
    await Promise.all([this.#iopub, this.#shell, this.#control, this.#stdin].map((s) => s.flush(2000)));
    for (const socket of [this.#shell, this.#control, this.#stdin, this.#iopub, this.#hb]) socket.close();
    try {
      this.#watchdog?.kill("SIGKILL");
    } catch { /* gone */ }
    await this.#watchdog?.status.catch(() => {});
    this.#resolveExit(code);
  }
}

const USAGE = `Usage: deno run -A --no-config kernel_proxy.ts --conn <connection file> [--deno <deno binary>]

Starts the Deno Jupyter kernel (deno jupyter --kernel) behind a proxy that serves the connection file's
ports: every output reaches every client, in order, before the cell's idle status. Started by Jupyter
through the latentlab kernelspec (deno task kernel).`;

/** Runs the proxy as a program: parses `args`, installs the signal handlers, returns the exit code. */
export async function main(args: string[]): Promise<number> {
  let connectionFile: string | undefined;
  let denoPath: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--help" || arg === "-h") {
      console.log(USAGE);
      return 0;
    } else if ((arg === "--conn" || arg === "-f") && i + 1 < args.length) {
      connectionFile = args[++i];
    } else if (arg.startsWith("--conn=")) {
      connectionFile = arg.slice("--conn=".length);
    } else if (arg === "--deno" && i + 1 < args.length) {
      denoPath = args[++i];
    } else {
      console.error(`kernel_proxy: unknown argument ${arg}\n${USAGE}`);
      return 2;
    }
  }
  if (!connectionFile) {
    console.error(`kernel_proxy: --conn is required\n${USAGE}`);
    return 2;
  }
  // A bad connection file is bad input (exit 2), checked before anything starts.
  try {
    await readConnectionFile(connectionFile);
  } catch (error) {
    console.error(`kernel_proxy: --conn ${(error as Error).message}`);
    return 2;
  }
  // One failed promise must not take the kernel's clients down with the proxy.
  globalThis.addEventListener("unhandledrejection", (event) => {
    event.preventDefault();
    console.error(`[latentlab kernel proxy] unhandled: ${event.reason?.stack ?? event.reason}`);
  });
  let proxy: KernelProxy;
  try {
    proxy = await KernelProxy.start({ connectionFile, denoPath });
  } catch (error) {
    console.error(`kernel_proxy: ${(error as Error).message}`);
    return 1;
  }
  const handlers: [Deno.Signal, () => void][] = Deno.build.os === "windows"
    ? [["SIGINT", () => proxy.interrupt()]]
    : [
      ["SIGINT", () => proxy.interrupt()],
      ["SIGTERM", () => proxy.terminate()],
      ["SIGHUP", () => proxy.terminate()],
    ];
  for (const [signal, handler] of handlers) Deno.addSignalListener(signal, handler);
  const code = await proxy.exited;
  for (const [signal, handler] of handlers) Deno.removeSignalListener(signal, handler);
  return code;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
