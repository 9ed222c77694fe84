/**
 * The kernel proxy (lib/notebook/kernel_proxy.ts) in front of the real Deno kernel: started like Jupyter
 * starts a kernel (its own process group, a connection file), driven by a client written here over our
 * ZMTP code, and by nbclient (`jupyter nbconvert --execute`) on a fixture that publishes many large
 * outputs quickly. Without nbconvert the nbclient test is ignored with a message (under CI it fails).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { PROJECT_ROOT } from "../../lib/util/project_root.ts";
import { ZmtpSocket } from "../../lib/notebook/_zmtp.ts";
import { joinText, readNotebook } from "../../lib/notebook/ipynb.ts";
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
} from "../../lib/notebook/protocol.ts";
import { findOnPath } from "./_figures.ts";
import { cellById, FIXTURES, nbconvertExecute, processesInGroup } from "./_helpers.ts";
import { withTempDir } from "../_helpers.ts";

const PROXY = join(PROJECT_ROOT, "lib", "notebook", "kernel_proxy.ts");
const posix = Deno.build.os !== "windows";
const encoder = new TextEncoder();

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function until(condition: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** A proxy process started like Jupyter starts a kernel: a new process group, a connection file. */
interface Proxy {
  connection: ConnectionInfo;
  pid: number;
  status: Promise<Deno.CommandStatus>;
  log: () => string;
  cleanup: () => Promise<void>;
}

async function startProxy(extraArgs: string[] = [], env: Record<string, string> = {}): Promise<Proxy> {
  const folder = await Deno.makeTempDir({ prefix: "latentlab-proxy-test-" });
  const connection = localConnection(freePorts(5), { key: crypto.randomUUID(), kernelName: "latentlab" });
  const file = join(folder, "kernel.json");
  await Deno.writeTextFile(file, JSON.stringify(connection));
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--no-config", PROXY, "--conn", file, ...extraArgs],
    cwd: folder,
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    detached: true,
  }).spawn();
  let log = "";
  const decoder = new TextDecoder();
  const drain = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream) log += decoder.decode(chunk, { stream: true });
  };
  const drained = Promise.all([drain(child.stdout), drain(child.stderr)]);
  return {
    connection,
    pid: child.pid,
    status: child.status,
    log: () => log,
    async cleanup() {
      for (const target of [-child.pid, child.pid]) {
        try {
          Deno.kill(target, "SIGKILL");
        } catch { /* gone */ }
      }
      await child.status;
      await drained;
      await Deno.remove(folder, { recursive: true }).catch(() => {});
    },
  };
}

/**
 * Starts a proxy (with `extraArgs` and `env`, see {@linkcode startProxy}), connects a {@linkcode Client}
 * named `client` and runs `use`; then closes the client and the proxy, printing the proxy's log if `use`
 * failed.
 */
async function withProxyClient(
  use: (proxy: Proxy, client: Client) => Promise<void>,
  options: { extraArgs?: string[]; env?: Record<string, string> } = {},
): Promise<void> {
  const proxy = await startProxy(options.extraArgs, options.env);
  let client: Client | undefined;
  try {
    client = await Client.connect(proxy.connection, "client");
    await use(proxy, client);
  } catch (error) {
    console.log(`proxy log:\n${proxy.log().slice(-4000)}`);
    throw error;
  } finally {
    client?.close();
    await proxy.cleanup();
  }
}

/** A Jupyter client over our ZMTP code: shell, control and stdin DEALERs with one identity, an iopub SUB. */
class Client {
  readonly iopub: JupyterMessage[] = [];
  readonly shellReplies: JupyterMessage[] = [];
  readonly #replies = new Map<string, (message: JupyterMessage) => void>();
  readonly #session = crypto.randomUUID();
  onInputRequest: (message: JupyterMessage) => string = () => "";

  private constructor(
    readonly signer: MessageSigner,
    readonly shell: ZmtpSocket,
    readonly control: ZmtpSocket,
    readonly stdin: ZmtpSocket,
    readonly sub: ZmtpSocket,
  ) {
    this.#read(shell, (message) => {
      this.shellReplies.push(message);
      this.#answer(message);
    });
    this.#read(control, (message) => this.#answer(message));
    this.#read(sub, (message) => this.iopub.push(message));
    this.#read(stdin, (message) => {
      const value = this.onInputRequest(message);
      const header = createHeader("input_reply", this.#session);
      stdin.send(encodeMessage({ header, parent_header: message.header, content: { value } }, signer));
    });
  }

  static async connect(connection: ConnectionInfo, name: string): Promise<Client> {
    const identity = encoder.encode(name);
    const connect = (port: number, type: "DEALER" | "SUB", id?: Uint8Array) =>
      ZmtpSocket.connect("127.0.0.1", port, type, { identity: id });
    const [shell, control, stdin, sub] = await Promise.all([
      connect(connection.shell_port, "DEALER", identity),
      connect(connection.control_port, "DEALER", identity),
      connect(connection.stdin_port, "DEALER", identity),
      connect(connection.iopub_port, "SUB"),
    ]);
    const client = new Client(createSigner(connection.key), shell, control, stdin, sub);
    // As jupyter_client does: kernel_info until a reply and some iopub traffic came.
    const deadline = performance.now() + 60_000;
    while (performance.now() < deadline) {
      const { reply } = await client.request("shell", "kernel_info_request", {});
      const answer = await Promise.race([reply, sleep(1000).then(() => undefined)]);
      if (answer && client.iopub.length > 0) return client;
    }
    throw new Error("the proxy did not answer kernel_info_request");
  }

  async #read(socket: ZmtpSocket, handle: (message: JupyterMessage) => void): Promise<void> {
    for await (const frames of socket.messages()) handle(decodeMessage(frames, this.signer));
  }

  #answer(message: JupyterMessage): void {
    const waiter = this.#replies.get(message.parent_header.msg_id ?? "");
    if (waiter) waiter(message);
  }

  async request(
    channel: "shell" | "control",
    msgType: string,
    content: Record<string, unknown>,
  ): Promise<{ msgId: string; reply: Promise<JupyterMessage> }> {
    const header = createHeader(msgType, this.#session);
    const reply = new Promise<JupyterMessage>((resolve) => this.#replies.set(header.msg_id, resolve));
    await this[channel].send(encodeMessage({ header, content }, this.signer));
    return { msgId: header.msg_id, reply };
  }

  /** Sends an execute_request; resolves when its reply and its idle have both arrived. */
  async execute(code: string, allowStdin = false): Promise<{ msgId: string; reply: JupyterMessage }> {
    const { msgId, reply } = await this.request(
      "shell",
      "execute_request",
      executeRequestContent(code, { allowStdin: allowStdin }),
    );
    const answer = await reply;
    await until(() => this.idleIndex(msgId) >= 0, 60_000, `idle of ${msgId}`);
    return { msgId, reply: answer };
  }

  idleIndex(msgId: string): number {
    return this.iopub.findIndex((m) =>
      m.parent_header.msg_id === msgId && m.header.msg_type === "status" &&
      m.content.execution_state === "idle"
    );
  }

  /** The outputs (no status, no execute_input) with parent `msgId`, as `type:text` lines. */
  outputs(msgId: string): string[] {
    return this.iopub.filter((m) => m.parent_header.msg_id === msgId)
      .filter((m) => !["status", "execute_input"].includes(m.header.msg_type))
      .map((m) => {
        const data = m.content.data as Record<string, string> | undefined;
        return `${m.header.msg_type}:${m.content.text ?? data?.["text/plain"] ?? ""}`;
      });
  }

  close(): void {
    for (const socket of [this.shell, this.control, this.stdin, this.sub]) socket.close();
  }
}

/** A cell that prints `lines` lines, shows `displays` displays of ~200 KiB and ends with a value. */
function burstCell(label: string, lines: number, displays: number, value: string): string {
  return `for (let i = 0; i < ${lines}; i++) console.log("${label} line " + i);
for (let i = 0; i < ${displays}; i++) {
  await Deno.jupyter.display({ "text/plain": "${label} display " + i, "text/html": "<!--" + "x".repeat(200 * 1024) + "-->" }, { raw: true });
}
${JSON.stringify(value)}`;
}

/** What `burstCell` should produce, stdout joined. */
function expectedBurst(label: string, lines: number, displays: number, value: string) {
  return {
    stdout: Array.from({ length: lines }, (_, i) => `${label} line ${i}\n`).join(""),
    displays: Array.from({ length: displays }, (_, i) => `display_data:${label} display ${i}`),
    result: `execute_result:${JSON.stringify(value)}`,
  };
}

function assertBurst(
  client: Client,
  msgId: string,
  label: string,
  lines: number,
  displays: number,
  value: string,
) {
  const outputs = client.outputs(msgId);
  const expected = expectedBurst(label, lines, displays, value);
  const stdout = outputs.filter((o) => o.startsWith("stream:")).map((o) => o.slice("stream:".length)).join(
    "",
  );
  assert.equal(stdout, expected.stdout, `${label}: every line, in order`);
  assert.deepEqual(
    outputs.filter((o) => o.startsWith("display_data:")),
    expected.displays,
    `${label}: displays`,
  );
  assert.deepEqual(
    outputs.filter((o) => o.startsWith("execute_result:")),
    [expected.result],
    `${label}: value`,
  );
  // Nothing of the cell after its idle.
  const idle = client.idleIndex(msgId);
  const after = client.iopub.slice(idle + 1).filter((m) => m.parent_header.msg_id === msgId);
  assert.deepEqual(after.map((m) => m.header.msg_type), [], `${label}: outputs after idle`);
}

Deno.test({
  name:
    "kernel proxy: every output before idle, also for cells queued at once; two clients; heartbeat; stdin",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const proxy = await startProxy();
    let first: Client | undefined;
    let second: Client | undefined;
    try {
      first = await Client.connect(proxy.connection, "first");
      second = await Client.connect(proxy.connection, "second");

      const cell = await first.execute(burstCell("a", 300, 4, "a done"));
      assert.equal(cell.reply.content.status, "ok");
      await sleep(300); // late messages, if any, would come now
      assertBurst(first, cell.msgId, "a", 300, 4, "a done");
      // The other client sees the same outputs on iopub, and only its own replies on shell.
      await until(() => second!.idleIndex(cell.msgId) >= 0, 10_000, "second client's idle");
      assert.deepEqual(second.outputs(cell.msgId), first.outputs(cell.msgId));
      const own = await second.execute("6 * 7");
      assert.equal(own.reply.content.status, "ok");
      assert.ok(!first.shellReplies.some((m) => m.parent_header.msg_id === own.msgId), "reply went to first");
      assert.ok(second.shellReplies.some((m) => m.parent_header.msg_id === own.msgId));

      // Three cells sent at once (Run All): each cell's lines and value in that cell, before its idle.
      const queued = await Promise.all(
        ["b", "c", "d"].map((label) =>
          first!.request(
            "shell",
            "execute_request",
            executeRequestContent(burstCell(label, 150, 1, `${label} done`)),
          )
        ),
      );
      for (const { reply } of queued) await reply;
      for (const { msgId } of queued) await until(() => first!.idleIndex(msgId) >= 0, 60_000, "idle");
      await sleep(300);
      queued.forEach(({ msgId }, i) => {
        const label = ["b", "c", "d"][i];
        assertBurst(first!, msgId, label, 150, 1, `${label} done`);
      });
      // Execution counts: the proxy's own marker requests are not in the history.
      const counts = await Promise.all(
        queued.map(({ reply }) => reply.then((r) => r.content.execution_count)),
      );
      assert.deepEqual(counts, [3, 4, 5]);

      // stdin: prompt() asks the client that ran the cell.
      const prompts: unknown[] = [];
      first.onInputRequest = (message) => {
        prompts.push(message.content.prompt);
        return "Ada";
      };
      const asked = await first.execute('const who = prompt("name?"); `hi ${who}`', true);
      assert.deepEqual(prompts, ["name?"]);
      assert.deepEqual(first.outputs(asked.msgId), ['execute_result:"hi Ada"']);

      // Heartbeat: REQ-style [empty, payload] comes back.
      const hb = await ZmtpSocket.connect("127.0.0.1", proxy.connection.hb_port, "DEALER");
      try {
        const hbIn = hb.messages()[Symbol.asyncIterator]();
        await hb.send([new Uint8Array(0), encoder.encode("ping")]);
        const echo = await hbIn.next();
        assert.deepEqual(echo.value?.map((f: Uint8Array) => new TextDecoder().decode(f)), ["", "ping"]);
      } finally {
        hb.close();
      }
    } catch (error) {
      console.log(`proxy log:\n${proxy.log().slice(-4000)}`);
      throw error;
    } finally {
      first?.close();
      second?.close();
      await proxy.cleanup();
    }
  },
});

Deno.test({
  name: "kernel proxy: SIGINT to its process group interrupts the running cell and the kernel lives on; " +
    "shutdown_request ends the proxy (exit 0) and every process of its group",
  ignore: !posix,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await withProxyClient(async (proxy, client) => {
      await client.execute("globalThis.kept = 41;");
      const { msgId, reply } = await client.request(
        "shell",
        "execute_request",
        executeRequestContent("const t0 = Date.now(); while (Date.now() - t0 < 60_000) {}"),
      );
      await until(
        () =>
          client.iopub.some((m) => m.parent_header.msg_id === msgId && m.header.msg_type === "execute_input"),
        30_000,
        "the loop to start",
      );
      await sleep(300);
      const started = performance.now();
      Deno.kill(-proxy.pid, "SIGINT"); // what jupyter_client does for interrupt_mode "signal"
      const answer = await reply;
      assert.equal(answer.content.status, "error");
      assert.ok(performance.now() - started < 10_000);
      await until(() => client.idleIndex(msgId) >= 0, 10_000, "idle after the interrupt");
      const after = await client.execute("globalThis.kept + 1");
      assert.deepEqual(client.outputs(after.msgId), ["execute_result:42"]);

      const members = processesInGroup(proxy.pid);
      if (members) assert.ok(members.length >= 3, `proxy, kernel and watchdog in one group: ${members}`);
      const shutdown = await client.request("control", "shutdown_request", { restart: false });
      assert.equal((await shutdown.reply).content.status, "ok");
      const status = await proxy.status;
      assert.equal(status.code, 0, proxy.log());
      if (members) {
        await until(() => processesInGroup(proxy.pid)!.length === 0, 5000, "the group to be empty");
      }
    });
  },
});

Deno.test({
  name: "kernel proxy: exits with the kernel's exit code; SIGTERM stops both; SIGKILL to the proxy alone " +
    "leaves no kernel behind (watchdog); so does the end of the Jupyter process that started it; a kernel " +
    "that cannot start ends the proxy",
  ignore: !posix,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    // The kernel exits on its own (a cell calls Deno.exit): the proxy exits with its code.
    await withProxyClient(async (proxy, client) => {
      await client.request("shell", "execute_request", executeRequestContent("Deno.exit(3)"));
      assert.equal((await proxy.status).code, 3, proxy.log());
    });

    const groupGone = async (pgid: number) => {
      if (processesInGroup(pgid) === undefined) return;
      await until(() => processesInGroup(pgid)!.length === 0, 10_000, `group ${pgid} to be empty`);
    };

    // SIGTERM to the proxy's pid only: it stops the kernel and exits.
    await withProxyClient(async (proxy) => {
      Deno.kill(proxy.pid, "SIGTERM");
      await proxy.status;
      await groupGone(proxy.pid);
    });

    // SIGKILL to the proxy's pid only (not its group): the watchdog kills the kernel.
    await withProxyClient(async (proxy) => {
      const before = processesInGroup(proxy.pid);
      Deno.kill(proxy.pid, "SIGKILL");
      await proxy.status;
      if (before) await groupGone(proxy.pid);
    });

    // The Jupyter process that started the kernel (JPY_PARENT_PID) goes away: the proxy stops the kernel.
    if (Deno.build.os === "linux") {
      const parent = new Deno.Command("sleep", { args: ["60"] }).spawn();
      await withProxyClient(async (proxy) => {
        parent.kill("SIGKILL");
        await parent.status;
        await proxy.status;
        assert.match(proxy.log(), /the Jupyter process that started the kernel \(pid \d+\) is gone/);
        await groupGone(proxy.pid);
      }, { env: { JPY_PARENT_PID: String(parent.pid) } });
    }

    // A "deno" that exits at once: started twice, then the proxy exits with its code.
    const proxy = await startProxy(["--deno", "/bin/false"]);
    try {
      const status = await proxy.status;
      assert.equal(status.code, 1);
      assert.match(proxy.log(), /the kernel exited while starting \(code 1\); starting it again/);
    } finally {
      await proxy.cleanup();
    }
  },
});

// ---- nbclient (jupyter nbconvert --execute) through the project kernelspec ----

const nbconvert = findOnPath("jupyter-nbconvert");
const inCi = Deno.env.get("CI") === "true";
if (!nbconvert && !inCi) {
  console.log(
    "kernel_proxy_test: nbclient test IGNORED, jupyter-nbconvert not found (apt-get install jupyter-nbconvert)",
  );
}

Deno.test({
  name:
    "kernel proxy: `jupyter nbconvert --execute` of a notebook that publishes many large outputs at once " +
    "gets every output, in order",
  ignore: !nbconvert && !inCi,
  async fn() {
    assert.ok(nbconvert, "under CI jupyter-nbconvert is needed");
    const out = await Deno.makeTempDir({ prefix: "latentlab-proxy-nbconvert-" });
    try {
      const child = await nbconvertExecute(nbconvert!, [join(FIXTURES, "output_burst.ipynb")], {
        outputDir: out,
        runtimeDir: join(out, "runtime"),
        cellTimeoutS: 300,
        env: { NO_COLOR: "1" },
      });
      assert.equal(child.code, 0, new TextDecoder().decode(child.stderr));
      const cells = (await readNotebook(join(out, "output_burst.ipynb"))).cells;
      const outputs = (id: string) =>
        (cellById(cells, id).outputs ?? []).map((o) => {
          if (o.output_type === "stream") return `${o.name}:${joinText((o as { text: string[] }).text)}`;
          if ("data" in o) return `${o.output_type}:${joinText(o.data["text/plain"] as string[])}`;
          return o.output_type;
        });
      const lines = (prefix: string, count: number) =>
        Array.from({ length: count }, (_, i) => `${prefix} ${i}\n`).join("");
      assert.deepEqual(outputs("setup"), ['execute_result:"ready"']);
      assert.deepEqual(outputs("displays"), Array.from({ length: 8 }, (_, i) => `display_data:display ${i}`));
      // nbclient merges consecutive stream messages into one output.
      assert.deepEqual(outputs("lines"), [`stdout:${lines("line", 400)}`]);
      // Lines and displays interleave as published; each kind in order, and the value last.
      const mixed = outputs("mixed");
      assert.equal(mixed.at(-1), 'execute_result:"last value"');
      assert.deepEqual(
        mixed.filter((o) => o.startsWith("display_data:")),
        Array.from({ length: 6 }, (_, i) => `display_data:mixed ${i}`),
      );
      assert.equal(
        mixed.filter((o) => o.startsWith("stdout:")).map((o) => o.slice("stdout:".length)).join(""),
        lines("mixed line", 6),
      );
      const tail = outputs("tail");
      assert.deepEqual(tail.toSorted(), [
        "display_data:tail display",
        "execute_result:42",
        "stdout:tail line\n",
      ]);
      assert.equal(tail.at(-1), "execute_result:42");
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  },
});

Deno.test("kernel proxy: a missing, non-JSON or incomplete connection file, or no --conn, is one line and exit 2", async () => {
  await withTempDir(async (dir) => {
    const notJson = join(dir, "not_json.json");
    const noPorts = join(dir, "no_ports.json");
    await Deno.writeTextFile(notJson, "{x");
    await Deno.writeTextFile(noPorts, "{}");
    const cases: [string[], RegExp][] = [
      [["--conn", join(dir, "missing.json")], /^kernel_proxy: --conn .*missing\.json: file not found$/],
      [["--conn", notJson], /^kernel_proxy: --conn .*not_json\.json: not a JSON connection file$/],
      [["--conn", noPorts], /^kernel_proxy: --conn .*no_ports\.json: shell_port is missing$/],
      [[], /^kernel_proxy: --conn is required$/],
    ];
    for (const [args, message] of cases) {
      const child = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--no-config", PROXY, ...args],
        stdout: "null",
        stderr: "piped",
      }).output();
      assert.equal(child.code, 2, args.join(" "));
      assert.match(new TextDecoder().decode(child.stderr).split("\n")[0], message);
    }
  });
});
