import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { connect } from "../../src/client/client.js";
import { Recorder } from "../../src/recording/recorder.js";
import { KEEPALIVE_PROGRAM, KEEPALIVE_PROTOCOL_VERSION } from "../../src/gen/virkeepaliveprotocol.js";
import { codecs, remoteProgram } from "../../src/gen/remote_protocol.js";
import { ConnectError, ConnectionClosedError, OptionError, ProtocolError } from "../../src/rpc/errors.js";
import { FrameLink, type ByteFilter } from "../../src/rpc/link.js";
import { MessageStatus, MessageType, encodeMessage } from "../../src/rpc/message.js";
import { checkKeepalive } from "../../src/client/options.js";
import { RpcSession } from "../../src/rpc/session.js";
import { MemoryTransport, memoryPair } from "../../src/transport/memory.js";
import { UnixTransport } from "../../src/transport/socket.js";
import { XdrWriter } from "../../src/xdr/index.js";
import { sessionPair } from "../helpers/fake-daemon.js";

const P = remoteProgram.procedures;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const ping = { prog: KEEPALIVE_PROGRAM, vers: KEEPALIVE_PROTOCOL_VERSION, proc: 1, type: MessageType.VIR_NET_MESSAGE, serial: 0, status: MessageStatus.VIR_NET_OK };

/** A Unix-socket peer for tests that need real socket buffers (backpressure). */
async function socketPeer(onClient: (s: Socket) => void): Promise<{ path: string; close(): void }> {
  const dir = mkdtempSync(join(tmpdir(), "lr-hostile-"));
  const path = join(dir, "sock");
  const server: Server = createServer((s) => {
    // The client hanging up on a peer that is still writing (the PING flood, under load) is what these tests do;
    // without a listener, the peer's EPIPE would be an uncaught exception in whichever test runs next.
    s.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code !== "EPIPE" && err.code !== "ECONNRESET") throw err;
    });
    onClient(s);
  });
  await new Promise<void>((r) => server.listen(path, r));
  return {
    path,
    close: () => {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

describe("keepalive as libvirt's", () => {
  it("counts whole messages, not bytes: a peer trickling bytes of a frame that never ends is declared dead", async () => {
    // Before the session exists, so that a loaded machine's delays only lengthen what is measured (its silence starts at its creation).
    const t0 = performance.now();
    const { session, daemon } = sessionPair();
    session.startKeepalive(100, 1);
    // A length word for a 1000-byte frame, then one byte every 20 ms.
    daemon.sendRaw(Uint8Array.of(0, 0, 3, 0xe8));
    const trickle = setInterval(() => daemon.sendRaw(Uint8Array.of(0)), 20);
    cleanups.push(() => clearInterval(trickle));
    const info = await Promise.race([session.closed, sleep(5000).then(() => null)]);
    expect(info?.reason).toBe("keepalive");
    // 2 intervals of silence (interval × (count + 1)), measured ≈ 200-230 ms.
    expect(performance.now() - t0).toBeGreaterThanOrEqual(190);
  });

  it("an interval of 0 means no keepalive, as virsh's -k 0", async () => {
    expect(checkKeepalive({ interval: 0, count: 5 })).toBe(false);
    const { session } = sessionPair();
    session.startKeepalive(0, 1);
    expect(await Promise.race([session.closed.then(() => "closed"), sleep(200).then(() => "open")])).toBe("open");
    session.destroy("client", "done");
  });

  it.each([NaN, Infinity, -Infinity, 3e9, "5"])("refuses keepalive interval %s before dialling", async (interval) => {
    const transport = new MemoryTransport(() => {
      throw new Error("must not dial");
    });
    await expect(connect("test:///default", { transport, keepalive: { interval: interval as number, count: 5 } })).rejects.toBeInstanceOf(OptionError);
  });

  it("ignores a keepalive message with an unknown procedure, as libvirt does", async () => {
    const { session, daemon } = sessionPair();
    daemon.send({ ...ping, proc: 99 });
    const call = session.call(remoteProgram, P.connectGetHostname, undefined);
    await daemon.receivedCount(1);
    daemon.reply(daemon.received[0]!.header, codecs.remote_connect_get_hostname_ret, { hostname: "h" });
    expect(await call).toEqual({ hostname: "h" });
    expect(session.stats.ignoredKeepalives).toBe(1);
    expect(session.isClosed).toBe(false);
  });

  it("answers a flood of PINGs from a peer that never reads with at most one queued PONG", async () => {
    const writer = new XdrWriter();
    const frame = Uint8Array.from(encodeMessage(writer, ping, null, undefined));
    const flood = Buffer.concat(Array.from({ length: 10_000 }, () => frame));
    const peer = await socketPeer((s) => {
      s.pause(); // never reads what the client writes
      for (let i = 0; i < 30; i++) s.write(flood); // 300,000 PINGs
    });
    cleanups.push(peer.close);
    const stream = await new UnixTransport(peer.path).connect();
    const session = new RpcSession(stream, { programs: [remoteProgram] });
    const heap0 = process.memoryUsage().heapUsed;
    let maxBacklog = 0;
    const t0 = Date.now();
    while (Date.now() - t0 < 1500) {
      maxBacklog = Math.max(maxBacklog, session.backlog);
      await sleep(5);
    }
    expect(maxBacklog).toBeLessThanOrEqual(frame.length);
    expect(process.memoryUsage().heapUsed - heap0).toBeLessThan(64 * 1024 * 1024);
    session.destroy("client", "done");
  });
});

describe("options of the wrong type", () => {
  it("a signal that is not an AbortSignal fails the call up front and does not wedge close()", async () => {
    const { session, daemon } = sessionPair();
    await expect(session.call(remoteProgram, P.connectGetHostname, undefined, { signal: {} as AbortSignal })).rejects.toBeInstanceOf(OptionError);
    expect(session.inFlight).toBe(0);
    expect(daemon.received).toHaveLength(0);
    await session.end();
  });

  it("connect(uri, { signal: {} }) fails before opening anything", async () => {
    let dialled = 0;
    const transport = new MemoryTransport(() => void dialled++);
    await expect(connect("test:///default", { transport, signal: {} as AbortSignal })).rejects.toBeInstanceOf(OptionError);
    await expect(connect("test:///default", { transport, timeout: Number.NaN })).rejects.toBeInstanceOf(OptionError);
    expect(dialled).toBe(0);
  });

  it.each([Infinity, 2 ** 31, 2 ** 40])("a timeout of %s ms does not fire early", async (timeout) => {
    const { session, daemon } = sessionPair();
    const call = session.call(remoteProgram, P.connectGetHostname, undefined, { timeout });
    await sleep(100);
    await daemon.receivedCount(1);
    daemon.reply(daemon.received[0]!.header, codecs.remote_connect_get_hostname_ret, { hostname: "late" });
    expect(await call).toEqual({ hostname: "late" });
  });
});

describe("the frame link", () => {
  /** A toy security layer: every byte XORed, so a missed switch point garbles frames. */
  const xor: ByteFilter = {
    name: "xor",
    encode: (b) => b.map((x) => x ^ 0x5a),
    decode: (b) => [b.map((x) => x ^ 0x5a)],
  };

  it("a filter installed by a reply applies to the bytes right behind that reply in the same chunk", async () => {
    const { session, daemon } = sessionPair();
    const first = session.call(remoteProgram, P.connectGetHostname, undefined, { onReply: () => session.setFilter(xor) });
    await daemon.receivedCount(1);
    const writer = new XdrWriter();
    const h1 = daemon.received[0]!.header;
    const reply1 = Uint8Array.from(encodeMessage(writer, { ...h1, type: MessageType.VIR_NET_REPLY }, codecs.remote_connect_get_hostname_ret, { hostname: "plain" }));
    const second = session.call(remoteProgram, P.connectGetHostname, undefined);
    await daemon.receivedCount(2);
    const h2 = daemon.received[1]!.header;
    const reply2 = Uint8Array.from(encodeMessage(writer, { ...h2, type: MessageType.VIR_NET_REPLY }, codecs.remote_connect_get_hostname_ret, { hostname: "wrapped" }));
    daemon.sendRaw(Buffer.concat([reply1, xor.encode(reply2)]));
    expect(await first).toEqual({ hostname: "plain" });
    expect(await second).toEqual({ hostname: "wrapped" });
    session.destroy("client", "done");
  });

  it("frames written after the switch go out through the filter; those queued before it do not", async () => {
    const [client, server] = memoryPair();
    const link = new FrameLink(client, { onFrame: () => {}, onFailure: () => {} });
    const raw: Uint8Array[] = [];
    server.on("data", (c: Uint8Array) => raw.push(c));
    const a = Uint8Array.of(0, 0, 0, 8, 1, 2, 3, 4);
    link.send(a);
    link.setFilter(xor);
    link.send(a);
    await sleep(10);
    expect(Buffer.concat(raw)).toEqual(Buffer.concat([a, xor.encode(a)]));
  });

  it("a frame sent as head and payload reaches the peer, the filter and the tap as the same bytes as one sent whole", async () => {
    const head = Uint8Array.of(0, 0, 0, 10, 9, 9);
    const payload = Uint8Array.of(1, 2, 3, 4);
    const whole = Buffer.concat([head, payload]);
    const small = Uint8Array.of(0, 0, 0, 5, 7);
    for (const filtered of [false, true]) {
      const [client, server] = memoryPair();
      const tapped: Uint8Array[] = [];
      const link = new FrameLink(client, { onFrame: () => {}, onFailure: () => {} }, { sent: (f) => tapped.push(Uint8Array.from(f)), received: () => {} });
      const raw: Uint8Array[] = [];
      server.on("data", (c: Uint8Array) => raw.push(c));
      if (filtered) link.setFilter(xor);
      // Small frames around it are joined; the payload is written as it is.
      link.send(small);
      link.sendSplit(head, payload);
      link.send(small);
      await sleep(10);
      const plain = Buffer.concat([small, whole, small]);
      expect(Buffer.concat(raw)).toEqual(filtered ? Buffer.from(xor.encode(plain)) : plain);
      expect(tapped.map((f) => Buffer.from(f))).toEqual([Buffer.from(small), whole, Buffer.from(small)]);
    }
  });

  it("holds frames while the peer does not read, and takes back the frame of a call given up on", async () => {
    const peer = await socketPeer((s) => s.pause());
    cleanups.push(peer.close);
    const stream = await new UnixTransport(peer.path).connect();
    const session = new RpcSession(stream, { programs: [remoteProgram] });
    const xml = "x".repeat(1024 * 1024);
    // The deadline must come after the look below even when encoding 40 MiB is slow on a busy machine
    // (with 300 ms, the first calls had given up before the look, and took their frames back).
    const calls = Array.from({ length: 40 }, () => session.call(remoteProgram, P.domainDefineXml, { xml }, { timeout: 3000 }).catch((e: Error) => e.name));
    await sleep(100);
    // The socket took what its buffers hold; the rest waits in the link, not in the socket.
    expect(session.backlog).toBeGreaterThan(10 * 1024 * 1024);
    expect(stream.writableLength).toBeLessThan(8 * 1024 * 1024);
    expect(new Set(await Promise.all(calls))).toEqual(new Set(["TimeoutError"]));
    expect(session.backlog).toBe(0);
    session.destroy("client", "done");
  });

  it("a peer that hangs up while a large call is being written fails the call, not the process", async () => {
    // The peer reads the first bytes, then closes with most of 4 MB (near the string limit) still to come: our socket
    // fails with EPIPE or ECONNRESET, which must reach the session, not the event loop.
    const peer = await socketPeer((s) => s.once("data", () => s.destroy()));
    cleanups.push(peer.close);
    const stream = await new UnixTransport(peer.path).connect();
    const session = new RpcSession(stream, { programs: [remoteProgram] });
    const err = await session.call(remoteProgram, P.domainDefineXml, { xml: "x".repeat(4_000_000) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionClosedError);
    expect((await session.closed).reason).toBe("eof");
    // Anything uncaught surfaces within a turn of the loop, and vitest fails the file on it.
    await sleep(50);
  });

  it("a recorder on a connection to a garbage peer never crashes the process", async () => {
    const peer = await socketPeer((s) => s.end("HTTP/1.1 400 Bad Request\r\n\r\n"));
    cleanups.push(peer.close);
    const recorder = new Recorder();
    const err = await connect(`test+unix:///default?socket=${peer.path}`, { record: recorder }).catch((e: unknown) => e);
    // Not a daemon that went away: a peer that never spoke libvirt's protocol.
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).code).toBe("ERR_NOT_LIBVIRT");
    expect((err as Error).cause).toBeInstanceOf(ProtocolError);
    expect(recorder.frames.filter((f) => f.dir === "recv")).toHaveLength(0);
  });
});
