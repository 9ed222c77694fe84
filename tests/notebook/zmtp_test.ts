import assert from "node:assert/strict";
import { encodeFrame, greeting, readyCommand, ZmtpSocket } from "../../lib/notebook/_zmtp.ts";

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
    await conn.write(readyCommand("DEALER"));
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
