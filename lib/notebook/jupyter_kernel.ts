/**
 * A client for the Deno Jupyter kernel that needs no Python: it starts `deno jupyter --kernel --conn
 * <file>` (the running Deno binary, {@linkcode Deno.execPath}) in its own process group and talks to
 * it over ZeroMQ (ZMTP 3.0, implemented in TypeScript in `_zmtp.ts`) with signed Jupyter messages.
 * @module
 */
import { join } from "node:path";
import { ZmtpSocket } from "./_zmtp.ts";
import {
  type ConnectionInfo,
  createHeader,
  createSigner,
  decodeMessage,
  encodeMessage,
  executeRequestContent,
  freePorts,
  type JupyterMessage,
  localConnection,
  type MessageSigner,
} from "./protocol.ts";

/** Options for {@linkcode KernelClient.start}. */
export interface KernelStartOptions {
  /** Working directory of the kernel (cells run there). */
  cwd: string;
  /** Extra environment variables for the kernel (added to this process's environment; `NO_COLOR=1` is always set). */
  env?: Record<string, string>;
  /** How long to wait for the kernel to answer `kernel_info_request`. Default 30 s. */
  startTimeoutMs?: number;
  /** The Deno binary. Default: {@linkcode Deno.execPath}. */
  denoPath?: string;
}

/** Options for {@linkcode KernelClient.execute}. */
export interface ExecuteOptions {
  /** Give up (status `timeout`) when the cell has not finished after this many milliseconds. Default 600 000. */
  timeoutMs?: number;
  /**
   * After the reply and the `idle` status, keep reading iopub until it has been silent this long, so that
   * late outputs still reach this cell. Default 300 ms.
   */
  quietMs?: number;
  /** Called with the request's `msg_id` just before it is sent (to route its outputs). */
  onRequest?: (msgId: string) => void;
}

/** What happened to one `execute_request`. */
export interface ExecuteOutcome {
  /** `ok`, `error` (the cell raised), `timeout` (see {@linkcode ExecuteOptions.timeoutMs}) or `died` (the kernel exited). */
  status: "ok" | "error" | "timeout" | "died";
  /** The `msg_id` of the request; iopub messages of this cell carry it as their parent. */
  msgId: string;
  /** Content of the `execute_reply` (absent on timeout or death). */
  reply?: Record<string, unknown>;
  /** Wall time in milliseconds until the cell finished (or was given up). */
  durationMs: number;
}

function randomKey(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) => b.toString(16).padStart(2, "0")).join(
    "",
  );
}

/** The kernel process ended before it answered. */
class KernelExitedError extends Error {}

/** Keeps the last `limit` characters written to it (the kernel's own output, for error messages). */
export class TailBuffer {
  #text = "";
  /** Creates a buffer keeping at most `limit` characters. */
  constructor(readonly limit: number) {}
  /** Appends `chunk`, dropping the oldest characters beyond the limit. */
  append(chunk: string): void {
    this.#text = (this.#text + chunk).slice(-this.limit);
  }
  /** The kept text. */
  get text(): string {
    return this.#text;
  }
}

async function drain(stream: ReadableStream<Uint8Array>, into: TailBuffer): Promise<void> {
  const decoder = new TextDecoder();
  try {
    for await (const chunk of stream) into.append(decoder.decode(chunk, { stream: true }));
  } catch { /* the process is gone */ }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A running Deno kernel and the sockets connected to it. Always call {@linkcode KernelClient.shutdown}. */
export class KernelClient {
  /** Process id of the kernel (also its process group id). */
  readonly pid: number;
  /** Resolves when the kernel process has exited. */
  readonly exited: Promise<Deno.CommandStatus>;
  /** The kernel's own stderr and stdout (last 64 KiB), for diagnostics. */
  readonly log: TailBuffer;
  /** The content of the kernel's `kernel_info_reply` (`language_info`, versions), once started. */
  kernelInfo: Record<string, unknown> = {};
  /** Called for every message on iopub (outputs, status), in arrival order. */
  onIopub: (message: JupyterMessage) => void = () => {};

  readonly #signer: MessageSigner;
  readonly #session = crypto.randomUUID();
  readonly #shell: ZmtpSocket;
  readonly #control: ZmtpSocket;
  readonly #iopub: ZmtpSocket;
  readonly #connectionDir: string;
  readonly #replies = new Map<string, (message: JupyterMessage) => void>();
  #lastIopubAt = 0;
  #iopubCount = 0;
  #exitedStatus: Deno.CommandStatus | undefined;
  #closed = false;
  #idle = new Set<string>();

  private constructor(
    process: Deno.ChildProcess,
    connection: ConnectionInfo,
    connectionDir: string,
    sockets: { shell: ZmtpSocket; control: ZmtpSocket; iopub: ZmtpSocket },
    log: TailBuffer,
  ) {
    this.log = log;
    this.pid = process.pid;
    this.#signer = createSigner(connection.key);
    this.#connectionDir = connectionDir;
    this.exited = process.status.then((status) => {
      this.#exitedStatus = status;
      return status;
    });
    this.#shell = sockets.shell;
    this.#control = sockets.control;
    this.#iopub = sockets.iopub;
    this.#readLoop(this.#shell, (message) => this.#onReply(message));
    this.#readLoop(this.#control, (message) => this.#onReply(message));
    this.#readLoop(this.#iopub, (message) => {
      this.#lastIopubAt = performance.now();
      this.#iopubCount += 1;
      if (message.header.msg_type === "status" && message.content.execution_state === "idle") {
        const parent = message.parent_header.msg_id;
        if (parent) this.#idle.add(parent);
      }
      this.onIopub(message);
    });
  }

  /**
   * Starts a kernel and waits until it answers on shell and publishes on iopub. A kernel that exits while
   * starting (e.g. a port taken meanwhile) is retried once with new ports.
   */
  static async start(options: KernelStartOptions): Promise<KernelClient> {
    try {
      return await KernelClient.#startOnce(options);
    } catch (error) {
      if (!(error instanceof KernelExitedError)) throw error;
      return await KernelClient.#startOnce(options);
    }
  }

  static async #startOnce(options: KernelStartOptions): Promise<KernelClient> {
    const connectionDir = await Deno.makeTempDir({ prefix: "latentlab-kernel-" });
    const connection = localConnection(freePorts(5), { key: randomKey(), kernelName: "deno" });
    const connectionFile = join(connectionDir, "connection.json");
    await Deno.writeTextFile(connectionFile, JSON.stringify(connection));
    let process: Deno.ChildProcess;
    try {
      process = new Deno.Command(options.denoPath ?? Deno.execPath(), {
        args: ["jupyter", "--kernel", "--conn", connectionFile],
        cwd: options.cwd,
        env: { ...options.env, NO_COLOR: "1" },
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
        detached: true,
      }).spawn();
    } catch (error) {
      await Deno.remove(connectionDir, { recursive: true }).catch(() => {});
      throw error;
    }
    const log = new TailBuffer(65536);
    drain(process.stdout, log);
    drain(process.stderr, log);
    const timeoutMs = options.startTimeoutMs ?? 30_000;
    const opened: ZmtpSocket[] = [];
    const stopConnecting = new AbortController();
    let client: KernelClient;
    try {
      const exited = process.status.then((status) => {
        throw new KernelExitedError(
          `Deno kernel exited while starting (code ${status.code}); its log:\n${log.text.trim()}`,
        );
      });
      const connect = async (port: number, type: "DEALER" | "SUB") => {
        const socket = await Promise.race([
          ZmtpSocket.connect(connection.ip, port, type, { timeoutMs, signal: stopConnecting.signal }),
          exited,
        ]);
        opened.push(socket);
        return socket;
      };
      exited.catch(() => {});
      const [shell, control, iopub] = await Promise.all([
        connect(connection.shell_port, "DEALER"),
        connect(connection.control_port, "DEALER"),
        connect(connection.iopub_port, "SUB"),
      ]);
      client = new KernelClient(process, connection, connectionDir, { shell, control, iopub }, log);
    } catch (error) {
      stopConnecting.abort();
      for (const socket of opened) socket.close();
      for (const target of [-process.pid, process.pid]) {
        try {
          Deno.kill(target, "SIGKILL");
        } catch { /* already gone */ }
      }
      await process.status;
      await Deno.remove(connectionDir, { recursive: true }).catch(() => {});
      throw error;
    }
    try {
      await client.#waitReady(timeoutMs);
    } catch (error) {
      await client.shutdown();
      throw error;
    }
    return client;
  }

  /** Whether the kernel process is still running. */
  get alive(): boolean {
    return this.#exitedStatus === undefined;
  }

  async #readLoop(socket: ZmtpSocket, handle: (message: JupyterMessage) => void): Promise<void> {
    for await (const frames of socket.messages()) {
      let message: JupyterMessage;
      try {
        message = decodeMessage(frames, this.#signer);
      } catch (error) {
        this.log.append(`\n[latentlab] dropped a message: ${(error as Error).message}\n`);
        continue;
      }
      handle(message);
    }
  }

  #onReply(message: JupyterMessage): void {
    const parent = message.parent_header.msg_id;
    const waiter = parent ? this.#replies.get(parent) : undefined;
    if (waiter) {
      this.#replies.delete(parent!);
      waiter(message);
    }
  }

  async #request(
    socket: ZmtpSocket,
    msgType: string,
    content: Record<string, unknown>,
    beforeSend?: (msgId: string) => void,
  ): Promise<{ msgId: string; reply: Promise<JupyterMessage> }> {
    const header = createHeader(msgType, this.#session);
    beforeSend?.(header.msg_id);
    const reply = new Promise<JupyterMessage>((resolve) => this.#replies.set(header.msg_id, resolve));
    await socket.send(encodeMessage({ header, content }, this.#signer));
    return { msgId: header.msg_id, reply };
  }

  async #waitReady(timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    let replied = false;
    // The SUB socket may join after the first messages were published: repeat kernel_info_request until
    // both the reply and some iopub traffic have arrived.
    while (performance.now() < deadline) {
      if (!this.alive) break;
      const { reply } = await this.#request(this.#shell, "kernel_info_request", {});
      const answer = await Promise.race([reply, sleep(500).then(() => undefined)]);
      if (answer) {
        replied = true;
        this.kernelInfo = answer.content;
      }
      if (replied && this.#iopubCount > 0) return;
    }
    const log = this.log.text.trim();
    if (!this.alive) {
      throw new KernelExitedError(
        `Deno kernel exited while starting (code ${this.#exitedStatus?.code}); its log:\n${log}`,
      );
    }
    throw new Error(`Deno kernel did not answer within ${timeoutMs} ms; its log:\n${log}`);
  }

  /**
   * Executes `code` as one cell. Outputs arrive through {@linkcode KernelClient.onIopub} with
   * `parent_header.msg_id === outcome.msgId`. Returns after the reply, the `idle` status, a flush of the
   * kernel's stdout/stderr (see below) and a quiet period on iopub, or at the timeout (the kernel is then
   * still busy: shut it down).
   *
   * The Deno kernel publishes `console.*` output asynchronously, after `idle`, and tags late lines with
   * whatever request runs next. So after each cell this client runs a tiny request that prints a random
   * marker to stdout and stderr: pipes keep order, so once both markers are back every earlier line has
   * been published. Everything printed before the markers is attributed to the cell; the markers are
   * removed. Displays tagged with the marker request (late ones, queued behind a big display) go to the
   * cell too.
   */
  async execute(code: string, options: ExecuteOptions = {}): Promise<ExecuteOutcome> {
    const timeoutMs = options.timeoutMs ?? 600_000;
    const quietMs = options.quietMs ?? 100;
    const started = performance.now();
    const deadline = started + timeoutMs;
    let request: { msgId: string; reply: Promise<JupyterMessage> };
    try {
      request = await this.#request(
        this.#shell,
        "execute_request",
        executeRequestContent(code),
        options.onRequest,
      );
    } catch (error) {
      // The connection is gone: report the kernel's death rather than a socket error.
      await Promise.race([this.exited, sleep(1000)]);
      if (!this.alive) return { status: "died", msgId: "", durationMs: performance.now() - started };
      throw error;
    }
    const { msgId, reply } = request;
    let replyMessage: JupyterMessage | undefined;
    reply.then((message) => replyMessage = message);
    const gone = (): ExecuteOutcome | undefined => {
      const now = performance.now();
      if (!this.alive) return { status: "died", msgId, durationMs: now - started };
      if (now >= deadline) return { status: "timeout", msgId, durationMs: now - started };
      return undefined;
    };
    while (!(replyMessage && this.#idle.has(msgId))) {
      const stop = gone();
      if (stop) {
        this.#replies.delete(msgId);
        return stop;
      }
      await sleep(5);
    }
    const finishedAt = performance.now();
    this.#idle.delete(msgId);
    const stop = await this.#flush(msgId, deadline);
    if (stop) return { status: stop, msgId, durationMs: performance.now() - started };
    while (performance.now() - this.#lastIopubAt < quietMs) {
      if (!this.alive) return { status: "died", msgId, durationMs: performance.now() - started };
      await sleep(10);
    }
    const content = replyMessage.content;
    return {
      status: content.status === "ok" ? "ok" : "error",
      msgId,
      reply: content,
      durationMs: finishedAt - started,
    };
  }

  async #flush(cellMsgId: string, deadline: number): Promise<"timeout" | "died" | undefined> {
    const marker = `latentlab-flush-${crypto.randomUUID()}`;
    const seen = { stdout: false, stderr: false };
    const handler = this.onIopub;
    let flushId = "";
    // Until both markers are back, streams (whatever their parent) belong to the cell just run.
    this.onIopub = (message) => {
      const parent = message.parent_header.msg_id;
      if (
        message.header.msg_type === "stream" && (parent === flushId || parent === cellMsgId || flushId === "")
      ) {
        const name = message.content.name as "stdout" | "stderr";
        let text = String(message.content.text ?? "");
        if (text.includes(marker)) {
          seen[name] = true;
          text = text.replace(`${marker}\n`, "").replace(marker, "");
        }
        if (text !== "") {
          handler({
            ...message,
            parent_header: { ...message.parent_header, msg_id: cellMsgId },
            content: { ...message.content, text },
          });
        }
        return;
      }
      if (parent === flushId && flushId !== "") {
        // A display the cell awaited can still be queued behind a big one (a figure carrying plotly.js) and
        // go out tagged with the flush request: it belongs to the cell. The rest is the flush's own status.
        if (message.header.msg_type === "display_data") {
          handler({ ...message, parent_header: { ...message.parent_header, msg_id: cellMsgId } });
        }
        return;
      }
      handler(message);
    };
    try {
      const request = await this.#request(
        this.#shell,
        "execute_request",
        executeRequestContent(
          `console.log(${JSON.stringify(marker)}); console.error(${JSON.stringify(marker)});`,
          { storeHistory: false, stopOnError: false },
        ),
      );
      flushId = request.msgId;
      let replied = false;
      request.reply.then(() => replied = true);
      while (!(replied && this.#idle.has(flushId) && seen.stdout && seen.stderr)) {
        if (!this.alive) return "died";
        if (performance.now() >= deadline) return "timeout";
        await sleep(5);
      }
      this.#idle.delete(flushId);
      return undefined;
    } finally {
      this.#replies.delete(flushId);
      this.onIopub = handler;
    }
  }

  /** Kills the kernel's whole process group at once (SIGKILL). Safe to call when it is already gone. */
  kill(): void {
    for (const target of [-this.pid, this.pid]) {
      try {
        Deno.kill(target, "SIGKILL");
      } catch { /* already gone */ }
    }
  }

  /**
   * Asks the kernel to shut down (control channel), waits up to `graceMs` for it to exit, then kills
   * its process group, closes the sockets and removes the connection file. Safe to call twice.
   */
  async shutdown(graceMs = 2000): Promise<void> {
    if (this.alive) {
      try {
        await this.#request(this.#control, "shutdown_request", { restart: false });
        await Promise.race([this.exited, sleep(graceMs)]);
      } catch { /* fall through to kill */ }
    }
    // Kill the group even after a clean exit: a cell may have started processes of its own.
    this.kill();
    await Promise.race([this.exited, sleep(5000)]);
    if (!this.#closed) {
      this.#closed = true;
      this.#shell.close();
      this.#control.close();
      this.#iopub.close();
      this.#replies.clear();
    }
    await Deno.remove(this.#connectionDir, { recursive: true }).catch(() => {});
  }
}
