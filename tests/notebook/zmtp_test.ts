import assert from "node:assert/strict";
import {
  encodeCommand,
  encodeFrame,
  greeting,
  parseCommand,
  parseProperties,
  PubSocket,
  readyCommand,
  RepSocket,
  RouterSocket,
  ZmtpSocket,
} from "../../lib/notebook/_zmtp.ts";

async function readExactly(conn: Deno.Conn, n: number): Promise<Uint8Array> {
  const out = new Uint8Array(n);
  let got = 0;
  while (got < n) {
    const read = await conn.read(out.subarray(got));
    if (read === null) throw new Error("eof");
    got += read;
  }
  return out;
}

Deno.test("ZMTP: handshake, subscription, short and long multipart frames, commands skipped", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const big = new Uint8Array(70_000).map((_, i) => i % 251);
  const server = (async () => {
    const conn = await listener.accept();
    const peerGreeting = await readExactly(conn, 64);
    assert.equal(peerGreeting[0], 0xff);
    assert.equal(peerGreeting[10], 3);
    assert.equal(new TextDecoder().decode(peerGreeting.subarray(12, 16)), "NULL");
    await conn.write(greeting());
    // The client's READY: flags, size, then "READY" and Socket-Type = SUB.
    const head = await readExactly(conn, 2);
    assert.equal(head[0], 0x04);
    const ready = new TextDecoder().decode(await readExactly(conn, head[1]));
    assert.ok(ready.includes("READY") && ready.includes("Socket-Type") && ready.endsWith("SUB"));
    await conn.write(readyCommand("PUB"));
    // The subscription message: one frame, body [1].
    assert.deepEqual([...await readExactly(conn, 3)], [0x00, 0x01, 0x01]);
    // A PING-like command, then a two-part message whose second part is long.
    await conn.write(encodeFrame(new TextEncoder().encode("\u0004PING"), 0x04));
    await conn.write(encodeFrame(new TextEncoder().encode("topic"), 0x01));
    await conn.write(encodeFrame(big, 0x00));
    await conn.write(encodeFrame(new Uint8Array(0), 0x00));
    conn.close();
  })();
  const socket = await ZmtpSocket.connect("127.0.0.1", port, "SUB");
  const received: Uint8Array[][] = [];
  for await (const message of socket.messages()) received.push(message);
  await server;
  socket.close();
  listener.close();
  assert.equal(received.length, 2);
  assert.equal(new TextDecoder().decode(received[0][0]), "topic");
  assert.deepEqual(received[0][1], big);
  assert.deepEqual(received[1], [new Uint8Array(0)]);
});

Deno.test("ZMTP: a refused connection is retried until the deadline", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const started = performance.now();
  await assert.rejects(() => ZmtpSocket.connect("127.0.0.1", port, "DEALER", { timeoutMs: 300 }));
  assert.ok(performance.now() - started >= 250);
});

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const bytes = (value: string) => new TextEncoder().encode(value);
const local = { host: "127.0.0.1", port: 0 };

/** The next message of `socket` (rejects after `ms`). */
async function nextMessage(
  iterator: AsyncIterator<Uint8Array[]>,
  ms = 5000,
): Promise<Uint8Array[] | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const result = await Promise.race([
      iterator.next(),
      new Promise<never>((_, reject) => timer = setTimeout(() => reject(new Error("no message")), ms)),
    ]);
    return result.done ? undefined : result.value;
  } finally {
    clearTimeout(timer);
  }
}

async function until(condition: () => boolean, ms = 5000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

Deno.test("ZMTP: READY carries the socket type and an identity; commands and properties parse back", () => {
  const frame = readyCommand("DEALER", bytes("client-1"));
  assert.equal(frame[0], 0x04);
  const command = parseCommand(frame.subarray(2));
  assert.equal(command.name, "READY");
  const properties = parseProperties(command.data);
  assert.equal(text(properties.get("Socket-Type")!), "DEALER");
  assert.equal(text(properties.get("Identity")!), "client-1");
  assert.equal(parseProperties(parseCommand(readyCommand("PUB").subarray(2)).data).has("Identity"), false);
  const subscribe = parseCommand(encodeCommand("SUBSCRIBE", bytes("topic")).subarray(2));
  assert.deepEqual([subscribe.name, text(subscribe.data)], ["SUBSCRIBE", "topic"]);
  assert.throws(() => parseProperties(Uint8Array.of(11, 0x53)), /truncated/);
});

Deno.test("ZMTP ROUTER: messages come with the peer's identity and replies go to that peer only", async () => {
  const router = RouterSocket.listen(local);
  const received: [string, string][] = [];
  router.onMessage = (identity, frames) => {
    received.push([text(identity), frames.map(text).join("|")]);
    router.send(identity, [bytes("reply to"), ...frames]);
  };
  const named = await ZmtpSocket.connect("127.0.0.1", router.port, "DEALER", { identity: bytes("alice") });
  const anonymous = await ZmtpSocket.connect("127.0.0.1", router.port, "DEALER");
  try {
    const namedIn = named.messages()[Symbol.asyncIterator]();
    const anonymousIn = anonymous.messages()[Symbol.asyncIterator]();
    await named.send([bytes("a"), bytes("1")]);
    await anonymous.send([bytes("b")]);
    assert.deepEqual((await nextMessage(namedIn))!.map(text), ["reply to", "a", "1"]);
    assert.deepEqual((await nextMessage(anonymousIn))!.map(text), ["reply to", "b"]);
    assert.deepEqual(received[0], ["alice", "a|1"]);
    // A peer without an identity gets a generated one: 5 bytes starting with a zero byte.
    const generated = [...router.peers].map((peer) => peer.peerIdentity.length);
    assert.deepEqual(generated.sort(), [0, 5]);
    assert.equal(router.send(bytes("nobody"), [bytes("x")]), false);
    assert.equal(router.has(bytes("alice")), true);
    // A second peer with the same identity takes over; the first is disconnected.
    const again = await ZmtpSocket.connect("127.0.0.1", router.port, "DEALER", { identity: bytes("alice") });
    assert.equal(await nextMessage(namedIn), undefined, "the older connection was closed");
    const againIn = again.messages()[Symbol.asyncIterator]();
    await again.send([bytes("c")]);
    assert.deepEqual((await nextMessage(againIn))!.map(text), ["reply to", "c"]);
    again.close();
  } finally {
    named.close();
    anonymous.close();
    router.close();
  }
});

Deno.test("ZMTP: a server socket refuses a peer of the wrong type", async () => {
  const router = RouterSocket.listen(local);
  const lines: string[] = [];
  const pub = PubSocket.listen({ ...local, log: (line) => lines.push(line) });
  try {
    await assert.rejects(
      () => ZmtpSocket.connect("127.0.0.1", router.port, "SUB"),
      /does not talk to|refused/,
    );
    await assert.rejects(
      () => ZmtpSocket.connect("127.0.0.1", pub.port, "DEALER"),
      /does not talk to|refused/,
    );
    await until(() => lines.length > 0);
    assert.match(lines[0], /PUB: a peer failed its handshake/);
  } finally {
    router.close();
    pub.close();
  }
});

Deno.test("ZMTP PUB: subscriptions filter by prefix, a cancel stops them, a slow subscriber loses nothing and holds no one up", async () => {
  const pub = PubSocket.listen(local);
  const all = await ZmtpSocket.connect("127.0.0.1", pub.port, "SUB");
  const slow = await ZmtpSocket.connect("127.0.0.1", pub.port, "SUB");
  const filtered = await ZmtpSocket.connect("127.0.0.1", pub.port, "SUB", { subscriptions: [bytes("b")] });
  try {
    await until(() => pub.subscribers === 3);
    pub.publish([bytes("a.topic"), bytes("first")]);
    pub.publish([bytes("b.topic"), bytes("second")]);
    const filteredIn = filtered.messages()[Symbol.asyncIterator]();
    assert.deepEqual((await nextMessage(filteredIn))!.map(text), ["b.topic", "second"]);
    // Cancel: [0, prefix]; then nothing more reaches it.
    await filtered.send([Uint8Array.of(0, ...bytes("b"))]);
    await until(() => pub.subscribers === 2);

    // 40 messages of 1 MiB: far beyond the socket buffers. `slow` reads nothing until `all` has all.
    const payload = new Uint8Array(1 << 20).map((_, i) => i % 253);
    const count = 40;
    for (let i = 0; i < count; i++) pub.publish([bytes("c.topic"), bytes(String(i)), payload]);
    const allIn = all.messages()[Symbol.asyncIterator]();
    assert.deepEqual((await nextMessage(allIn))!.map(text), ["a.topic", "first"]);
    assert.deepEqual((await nextMessage(allIn))!.map(text), ["b.topic", "second"]);
    for (let i = 0; i < count; i++) {
      const message = (await nextMessage(allIn, 20_000))!;
      assert.equal(text(message[1]), String(i));
      assert.deepEqual(message[2], payload);
    }
    assert.ok(
      [...pub.peers].some((peer) => peer.queuedBytes > 0),
      "the slow subscriber's messages wait in its queue",
    );
    const slowIn = slow.messages()[Symbol.asyncIterator]();
    const seen: string[] = [];
    for (let i = 0; i < count + 2; i++) seen.push(text((await nextMessage(slowIn, 20_000))![1]));
    assert.deepEqual(seen, ["first", "second", ...Array.from({ length: count }, (_, i) => String(i))]);
    await pub.flush();
    pub.publish([bytes("b.topic"), bytes("after cancel")]);
    assert.equal(text((await nextMessage(allIn))![1]), "after cancel");
    await assert.rejects(() => nextMessage(filteredIn, 300), /no message/, "cancelled: nothing more");
  } finally {
    all.close();
    slow.close();
    filtered.close();
    pub.close();
  }
});

Deno.test("ZMTP PUB: a ZMTP 3.1 peer's SUBSCRIBE command subscribes it", async () => {
  const pub = PubSocket.listen(local);
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: pub.port });
  try {
    await conn.write(greeting());
    await readExactly(conn, 64);
    await conn.write(readyCommand("SUB"));
    const head = await readExactly(conn, 2);
    assert.equal(parseCommand(await readExactly(conn, head[1])).name, "READY");
    await conn.write(encodeCommand("SUBSCRIBE", bytes("x")));
    await until(() => pub.subscribers === 1);
    pub.publish([bytes("y"), bytes("skipped")]);
    pub.publish([bytes("x1"), bytes("kept")]);
    // Frames: [MORE, 2, "x1"], [0, 4, "kept"].
    assert.deepEqual([...await readExactly(conn, 4)], [0x01, 2, ...bytes("x1")]);
    assert.deepEqual([...await readExactly(conn, 6)], [0x00, 4, ...bytes("kept")]);
  } finally {
    conn.close();
    pub.close();
  }
});

Deno.test("ZMTP REP: echoes each request behind its envelope, one peer at a time", async () => {
  const rep = RepSocket.listen(local);
  const upper = RepSocket.listen({
    ...local,
    reply: (request) => request.map((f) => bytes(text(f).toUpperCase())),
  });
  const client = await ZmtpSocket.connect("127.0.0.1", rep.port, "DEALER");
  const other = await ZmtpSocket.connect("127.0.0.1", upper.port, "DEALER");
  try {
    const clientIn = client.messages()[Symbol.asyncIterator]();
    await client.send([new Uint8Array(0), bytes("ping")]);
    await client.send([new Uint8Array(0), bytes("ping 2")]);
    assert.deepEqual((await nextMessage(clientIn))!.map(text), ["", "ping"]);
    assert.deepEqual((await nextMessage(clientIn))!.map(text), ["", "ping 2"]);
    const otherIn = other.messages()[Symbol.asyncIterator]();
    await other.send([new Uint8Array(0), bytes("hb")]);
    assert.deepEqual((await nextMessage(otherIn))!.map(text), ["", "HB"]);
  } finally {
    client.close();
    other.close();
    rep.close();
    upper.close();
  }
});

// libzmq (pyzmq, as Jupyter's clients use it) against the server sockets: REQ → REP, DEALER with an identity
// → ROUTER, SUB with a topic → PUB.
const PYTHON = "/usr/bin/python3";
const hasPyzmq = (() => {
  try {
    return new Deno.Command(PYTHON, { args: ["-c", "import zmq"], stderr: "null" }).outputSync().success;
  } catch {
    return false;
  }
})();
if (!hasPyzmq) console.log("zmtp_test: libzmq interoperability SKIPPED, /usr/bin/python3 has no zmq (pyzmq)");

Deno.test({
  name: "ZMTP server sockets talk to libzmq (pyzmq): REQ → REP, DEALER → ROUTER, SUB → PUB",
  ignore: !hasPyzmq,
  async fn() {
    const rep = RepSocket.listen(local);
    const router = RouterSocket.listen(local);
    router.onMessage = (identity, frames) => router.send(identity, [bytes(text(identity)), ...frames]);
    const pub = PubSocket.listen(local);
    const script = `
import sys, zmq, time
ctx = zmq.Context()
req = ctx.socket(zmq.REQ); req.connect("tcp://127.0.0.1:${rep.port}")
req.send(b"hello"); assert req.recv() == b"hello"
dealer = ctx.socket(zmq.DEALER); dealer.setsockopt(zmq.IDENTITY, b"py-client"); dealer.connect("tcp://127.0.0.1:${router.port}")
dealer.send_multipart([b"<IDS|MSG>", b"x"]); assert dealer.recv_multipart() == [b"py-client", b"<IDS|MSG>", b"x"]
sub = ctx.socket(zmq.SUB); sub.setsockopt(zmq.SUBSCRIBE, b"keep"); sub.connect("tcp://127.0.0.1:${pub.port}")
print("ready", flush=True)
got = [sub.recv_multipart() for _ in range(2)]
assert got == [[b"keep.1", b"a"], [b"keep.2", b"b" * 300000]], got
print("ok", flush=True)
`;
    const child = new Deno.Command(PYTHON, { args: ["-c", script], stdout: "piped", stderr: "piped" })
      .spawn();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    try {
      let out = "";
      while (!out.includes("ready")) {
        const { value, done } = await reader.read();
        if (done) break;
        out += value;
      }
      await until(() => pub.subscribers === 1);
      pub.publish([bytes("drop.1"), bytes("no")]);
      pub.publish([bytes("keep.1"), bytes("a")]);
      pub.publish([bytes("keep.2"), bytes("b".repeat(300000))]);
      while (!out.includes("ok")) {
        const { value, done } = await reader.read();
        if (done) break;
        out += value;
      }
      reader.releaseLock();
      const status = await child.status;
      const stderr = await new Response(child.stderr).text();
      assert.ok(status.success && out.includes("ok"), stderr);
    } finally {
      try {
        child.kill("SIGKILL");
      } catch { /* exited */ }
      await child.status;
      rep.close();
      router.close();
      pub.close();
    }
  },
});
