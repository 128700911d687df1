import { once } from "node:events";
import { Readable } from "node:stream";
import { describe, expect, it, vi } from "vitest";
import { codecs, remoteProgram } from "../../src/gen/remote_protocol.js";
import { AbortError, ConnectionClosedError, LibvirtError, ProtocolError } from "../../src/rpc/errors.js";
import { MessageStatus, MessageType } from "../../src/rpc/message.js";
import { STREAM_PACKET } from "../../src/rpc/session.js";
import { DeviceStream } from "../../src/streams/device.js";
import { Hole } from "../../src/streams/hole.js";
import { callStream } from "../../src/streams/procedures.js";
import type { ReceiveStream } from "../../src/streams/readable.js";
import { sessionPair } from "../helpers/fake-daemon.js";
import { P, dom, sendConfirm, sendData, sendEnd, sendHole, sendStreamError, streamPackets, until, vol } from "./helpers.js";

vi.setConfig({ testTimeout: 15_000 });
const OK = MessageStatus.VIR_NET_OK;
const CONTINUE = MessageStatus.VIR_NET_CONTINUE;
const ERROR = MessageStatus.VIR_NET_ERROR;
const download = { vol, offset: 0n, length: 0n, flags: 0 };
const sparseDownload = { ...download, flags: 1 };

async function collect(r: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of r) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

describe("streams in the session: downloads", () => {
  it("takes data sent before the call's reply, finishes after the daemon's end and ends only on its confirmation", async () => {
    const { session, daemon } = sessionPair();
    const opened = callStream(session, remoteProgram, P.storageVolDownload, download, undefined);
    await daemon.receivedCount(1);
    const call = daemon.received[0]!.header;
    expect(call).toMatchObject({ proc: P.storageVolDownload.number, type: MessageType.VIR_NET_CALL });
    // The daemon starts its stream before it queues the reply.
    sendData(daemon, call, Buffer.from("hello "));
    daemon.reply(call, null);
    const r = (await opened) as ReceiveStream;
    sendData(daemon, call, Buffer.from("world"));
    sendEnd(daemon, call);
    let ended = false;
    const body = collect(r).then((b) => ((ended = true), b));
    await until(() => streamPackets(daemon).length === 1);
    // The finish: STREAM, status OK, empty, on the call's serial.
    expect(streamPackets(daemon)[0]).toEqual({ type: MessageType.VIR_NET_STREAM, status: OK, serial: call.serial, body: new Uint8Array(0) });
    await new Promise((r) => setTimeout(r, 20));
    expect(ended).toBe(false);
    sendConfirm(daemon, call);
    expect((await body).toString()).toBe("hello world");
    // Packets for a stream that is over are ignored, as libvirt's client ignores them.
    sendData(daemon, call, Buffer.from("late"));
    await until(() => session.stats.ignoredStreamMessages === 1);
    expect(session.isClosed).toBe(false);
  });

  it("a daemon error on the stream fails the Readable with the LibvirtError, and nothing more is sent", async () => {
    const { session, daemon } = sessionPair();
    const opened = callStream(session, remoteProgram, P.storageVolDownload, download, undefined);
    await daemon.receivedCount(1);
    const call = daemon.received[0]!.header;
    daemon.reply(call, null);
    const r = (await opened) as ReceiveStream;
    sendData(daemon, call, Buffer.alloc(10));
    sendStreamError(daemon, call, "cannot read volume");
    const err = await collect(r).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LibvirtError);
    expect((err as LibvirtError).message).toBe("cannot read volume");
    await new Promise((r) => setTimeout(r, 20));
    expect(streamPackets(daemon)).toEqual([]);
  });

  it("an error reply to the opening call rejects it and forgets the stream", async () => {
    const { session, daemon } = sessionPair();
    const opened = callStream(session, remoteProgram, P.storageVolDownload, download, undefined);
    await daemon.receivedCount(1);
    const call = daemon.received[0]!.header;
    sendStreamError(daemon, call, "no such volume", MessageType.VIR_NET_REPLY);
    await expect(opened).rejects.toThrow("no such volume");
    sendData(daemon, call, Buffer.alloc(4));
    await until(() => session.stats.ignoredStreamMessages === 1);
  });

  it("holes: as zeros by default, as Hole records when asked, and an error on a stream not opened sparse", async () => {
    for (const holes of ["zeros", "records"] as const) {
      const { session, daemon } = sessionPair();
      const opened = callStream(session, remoteProgram, P.storageVolDownload, sparseDownload, undefined, { holes });
      await daemon.receivedCount(1);
      const call = daemon.received[0]!.header;
      daemon.reply(call, null);
      const r = (await opened) as ReceiveStream<Buffer | Hole>;
      sendData(daemon, call, Buffer.from("ab"));
      sendHole(daemon, call, 600_000);
      sendData(daemon, call, Buffer.from("cd"));
      sendEnd(daemon, call);
      await until(() => streamPackets(daemon).length === 1);
      sendConfirm(daemon, call);
      const items: (Buffer | Hole)[] = [];
      for await (const c of r) items.push(c);
      if (holes === "records") {
        expect(items).toEqual([Buffer.from("ab"), new Hole(600_000), Buffer.from("cd")]);
      } else {
        const all = Buffer.concat(items as Buffer[]);
        expect(all.length).toBe(600_004);
        expect(all.subarray(0, 2).toString() + all.subarray(600_002).toString()).toBe("abcd");
        expect(all.subarray(2, 600_002).every((b) => b === 0)).toBe(true);
      }
    }
    const { session, daemon } = sessionPair();
    const opened = callStream(session, remoteProgram, P.storageVolDownload, download, undefined);
    await daemon.receivedCount(1);
    const call = daemon.received[0]!.header;
    daemon.reply(call, null);
    const r = (await opened) as ReceiveStream;
    sendHole(daemon, call, 4096);
    const err = await collect(r).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProtocolError);
    // ... and the daemon is asked to abort its side: STREAM, status ERROR, empty.
    await until(() => streamPackets(daemon).length === 1);
    expect(streamPackets(daemon)[0]).toMatchObject({ status: ERROR, body: new Uint8Array(0) });
    expect(session.isClosed).toBe(false);
  });

  it("destroy() aborts: STREAM/ERROR sent, 'close' only after the daemon's confirmation, later data dropped", async () => {
    const { session, daemon } = sessionPair();
    const opened = callStream(session, remoteProgram, P.storageVolDownload, download, undefined);
    await daemon.receivedCount(1);
    const call = daemon.received[0]!.header;
    daemon.reply(call, null);
    const r = (await opened) as ReceiveStream;
    let closed = false;
    r.on("close", () => (closed = true));
    r.destroy();
    await until(() => streamPackets(daemon).length === 1);
    expect(streamPackets(daemon)[0]).toEqual({ type: MessageType.VIR_NET_STREAM, status: ERROR, serial: call.serial, body: new Uint8Array(0) });
    // Data the daemon had queued before it saw the abort.
    sendData(daemon, call, Buffer.alloc(100));
    await new Promise((r) => setTimeout(r, 20));
    expect(closed).toBe(false);
    sendConfirm(daemon, call);
    await until(() => closed);
    expect(session.isClosed).toBe(false);
  });

  it("an AbortSignal fired before the reply rejects the call; the stream that opened anyway is aborted", async () => {
    const { session, daemon } = sessionPair();
    const ac = new AbortController();
    const opened = callStream(session, remoteProgram, P.storageVolDownload, download, undefined, { signal: ac.signal });
    await daemon.receivedCount(1);
    const call = daemon.received[0]!.header;
    ac.abort();
    await expect(opened).rejects.toBeInstanceOf(AbortError);
    expect(streamPackets(daemon)).toEqual([]);
    daemon.reply(call, null);
    await until(() => streamPackets(daemon).length === 1);
    expect(streamPackets(daemon)[0]).toMatchObject({ status: ERROR, serial: call.serial });
    sendConfirm(daemon, call);
    await new Promise((r) => setTimeout(r, 20));
    expect(session.isClosed).toBe(false);
  });

  it("a confirmation nobody asked for is a protocol error that closes the connection, as in libvirt", async () => {
    const { session, daemon } = sessionPair();
    const opened = callStream(session, remoteProgram, P.storageVolDownload, download, undefined);
    await daemon.receivedCount(1);
    const call = daemon.received[0]!.header;
    daemon.reply(call, null);
    const r = (await opened) as ReceiveStream;
    const failed = once(r, "error");
    sendConfirm(daemon, call);
    const info = await session.closed;
    expect(info.error.cause).toBeInstanceOf(ProtocolError);
    const [err] = await failed;
    expect(err).toBeInstanceOf(ConnectionClosedError);
  });

  it("the connection dying errors every open stream and every pending call", async () => {
    const { session, daemon } = sessionPair();
    const a = callStream(session, remoteProgram, P.storageVolDownload, download, undefined);
    const b = callStream(session, remoteProgram, P.domainOpenConsole, { dom, dev_name: null, flags: 0 }, undefined);
    await daemon.receivedCount(2);
    daemon.reply(daemon.received[0]!.header, null);
    daemon.reply(daemon.received[1]!.header, null);
    const ra = (await a) as ReceiveStream;
    const rb = (await b) as DeviceStream;
    const pending = session.call(remoteProgram, P.connectGetHostname, undefined);
    const errs = [once(ra, "error"), once(rb, "error")];
    await daemon.receivedCount(3);
    daemon.stream.destroy();
    await expect(pending).rejects.toBeInstanceOf(ConnectionClosedError);
    for (const e of errs) expect((await e)[0]).toBeInstanceOf(ConnectionClosedError);
  });
});

describe("streams in the session: inbound flow control", () => {
  it("a consumer that does not read stops the reading at its high-water mark; reading resumes as it reads", async () => {
    const { session, daemon } = sessionPair();
    const opened = callStream(session, remoteProgram, P.storageVolDownload, download, undefined, { highWaterMark: 1 << 20 });
    await daemon.receivedCount(1);
    const call = daemon.received[0]!.header;
    daemon.reply(call, null);
    const r = (await opened) as ReceiveStream;
    const packet = Buffer.alloc(STREAM_PACKET, 7);
    const total = 40; // ~10 MiB
    for (let i = 0; i < total; i++) sendData(daemon, call, packet);
    sendEnd(daemon, call);
    await until(() => session.stats.streamPauses >= 1);
    await new Promise((r) => setTimeout(r, 50));
    // Held by the consumer: its high-water mark and at most one packet more; the rest waits unread below.
    expect(r.readableLength).toBeLessThanOrEqual((1 << 20) + STREAM_PACKET);
    expect(r.readableLength).toBeGreaterThanOrEqual(1 << 20);
    let got = 0;
    const done = (async () => {
      for await (const c of r) got += (c as Buffer).length;
    })();
    await until(() => streamPackets(daemon).length === 1);
    sendConfirm(daemon, call);
    await done;
    expect(got).toBe(total * STREAM_PACKET);
    expect(session.stats.streamPauses).toBeGreaterThan(1);
  });

  it("while a consumer is full, a pending call's reply is still read (up to the dig limit), then reading stops", async () => {
    const { session, daemon } = sessionPair({ streams: { digLimit: 6 * STREAM_PACKET } });
    const opened = callStream(session, remoteProgram, P.storageVolDownload, download, undefined, { highWaterMark: STREAM_PACKET });
    await daemon.receivedCount(1);
    const call = daemon.received[0]!.header;
    daemon.reply(call, null);
    const r = (await opened) as ReceiveStream;
    const packet = Buffer.alloc(STREAM_PACKET, 1);
    for (let i = 0; i < 3; i++) sendData(daemon, call, packet);
    await until(() => session.stats.streamPauses === 1);
    const hostname = session.call(remoteProgram, P.connectGetHostname, undefined);
    await daemon.receivedCount(2);
    // The reply waits behind more of the stream's data, as it does in the daemon's queue.
    for (let i = 0; i < 2; i++) sendData(daemon, call, packet);
    daemon.reply(daemon.received[1]!.header, codecs.remote_connect_get_hostname_ret, { hostname: "h" });
    expect(await hostname).toEqual({ hostname: "h" });
    // A call whose reply is beyond the dig limit waits until the consumer reads.
    const second = session.call(remoteProgram, P.connectGetHostname, undefined);
    await daemon.receivedCount(3);
    for (let i = 0; i < 6; i++) sendData(daemon, call, packet);
    daemon.reply(daemon.received[2]!.header, codecs.remote_connect_get_hostname_ret, { hostname: "h2" });
    let answered = false;
    void second.then(() => (answered = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(answered).toBe(false);
    // Held past the consumer's mark: the dig limit, reached within one packet.
    expect(session.stats.streamOverflowPeak).toBe(6 * STREAM_PACKET);
    r.resume();
    expect(await second).toEqual({ hostname: "h2" });
    r.destroy();
  });
});

describe("streams in the session: uploads and devices", () => {
  it("an upload gathers data into packets of libvirt's size, sends holes as holes, and resolves on the daemon's confirmation", async () => {
    const { session, daemon } = sessionPair();
    const chunks = [Buffer.alloc(100_000, 1), Buffer.alloc(300_000, 2), new Hole(1 << 30), Buffer.alloc(10, 3)];
    let resolved = false;
    const up = callStream(session, remoteProgram, P.storageVolUpload, { vol, offset: 0n, length: 0n, flags: 1 }, chunks).then(() => (resolved = true));
    await daemon.receivedCount(1);
    const call = daemon.received[0]!.header;
    daemon.reply(call, null);
    await until(() => streamPackets(daemon).some((p) => p.status === OK));
    const packets = streamPackets(daemon);
    expect(packets.map((p) => [p.type, p.status, p.body.length])).toEqual([
      [MessageType.VIR_NET_STREAM, CONTINUE, STREAM_PACKET],
      [MessageType.VIR_NET_STREAM, CONTINUE, 400_000 - STREAM_PACKET],
      [MessageType.VIR_NET_STREAM_HOLE, CONTINUE, 12],
      [MessageType.VIR_NET_STREAM, CONTINUE, 10],
      [MessageType.VIR_NET_STREAM, OK, 0],
    ]);
    expect(Buffer.from(packets[2]!.body).toString("hex")).toBe("000000004000000000000000");
    expect(resolved).toBe(false);
    sendConfirm(daemon, call);
    await up;
    expect(resolved).toBe(true);
  });

  it("an upload that the daemon fails mid-way rejects with the daemon's error; a failing source aborts the stream", async () => {
    const { session, daemon } = sessionPair();
    async function* endless(): AsyncGenerator<Buffer> {
      for (;;) {
        yield Buffer.alloc(STREAM_PACKET);
        await new Promise((r) => setTimeout(r, 1));
      }
    }
    const up = callStream(session, remoteProgram, P.storageVolUpload, { vol, offset: 0n, length: 0n, flags: 0 }, endless());
    await daemon.receivedCount(1);
    const call = daemon.received[0]!.header;
    daemon.reply(call, null);
    await until(() => streamPackets(daemon).length >= 3);
    sendStreamError(daemon, call, "No space left on device");
    await expect(up).rejects.toThrow("No space left on device");

    async function* broken(): AsyncGenerator<Buffer> {
      yield Buffer.alloc(10);
      throw new Error("disk read failed");
    }
    const up2 = callStream(session, remoteProgram, P.storageVolUpload, { vol, offset: 0n, length: 0n, flags: 0 }, broken());
    await until(() => daemon.received.filter((m) => m.header.type === MessageType.VIR_NET_CALL).length === 2);
    const call2 = daemon.received.filter((m) => m.header.type === MessageType.VIR_NET_CALL)[1]!.header;
    daemon.reply(call2, null);
    await until(() => streamPackets(daemon).some((p) => p.serial === call2.serial && p.status === ERROR));
    sendConfirm(daemon, call2);
    await expect(up2).rejects.toThrow("disk read failed");
    expect(session.isClosed).toBe(false);
  });

  it("an upload's AbortSignal aborts even while the source is stalled", async () => {
    const { session, daemon } = sessionPair();
    const ac = new AbortController();
    const stalled = new Readable({ read() {} });
    stalled.push(Buffer.alloc(5));
    const up = callStream(session, remoteProgram, P.storageVolUpload, { vol, offset: 0n, length: 0n, flags: 0 }, stalled, { signal: ac.signal });
    await daemon.receivedCount(1);
    const call = daemon.received[0]!.header;
    daemon.reply(call, null);
    await new Promise((r) => setTimeout(r, 20));
    ac.abort();
    await until(() => streamPackets(daemon).some((p) => p.status === ERROR));
    sendConfirm(daemon, call);
    await expect(up).rejects.toBeInstanceOf(AbortError);
  });

  it("a console is a Duplex: writes become data packets, end() finishes and waits for the confirmation", async () => {
    const { session, daemon } = sessionPair();
    const opened = callStream(session, remoteProgram, P.domainOpenConsole, { dom, dev_name: null, flags: 0 }, undefined);
    await daemon.receivedCount(1);
    const call = daemon.received[0]!.header;
    daemon.reply(call, null);
    const con = (await opened) as DeviceStream;
    expect(con).toBeInstanceOf(DeviceStream);
    con.write("ping\r");
    await until(() => streamPackets(daemon).length === 1);
    expect(Buffer.from(streamPackets(daemon)[0]!.body).toString()).toBe("ping\r");
    sendData(daemon, call, Buffer.from("pong"));
    const [echo] = (await once(con, "data")) as [Buffer];
    expect(echo.toString()).toBe("pong");
    let finished = false;
    con.end(() => (finished = true));
    await until(() => streamPackets(daemon).length === 2);
    expect(streamPackets(daemon)[1]).toMatchObject({ status: OK, body: new Uint8Array(0) });
    await new Promise((r) => setTimeout(r, 20));
    expect(finished).toBe(false);
    sendConfirm(daemon, call);
    await until(() => finished);
  });

  it("a console whose daemon side ends (taken over with force) is finished and ends", async () => {
    const { session, daemon } = sessionPair();
    const opened = callStream(session, remoteProgram, P.domainOpenConsole, { dom, dev_name: null, flags: 0 }, undefined);
    await daemon.receivedCount(1);
    const call = daemon.received[0]!.header;
    daemon.reply(call, null);
    const con = (await opened) as DeviceStream;
    const ended = once(con, "end");
    con.resume();
    sendEnd(daemon, call);
    await until(() => streamPackets(daemon).length === 1);
    expect(streamPackets(daemon)[0]).toMatchObject({ status: OK });
    sendConfirm(daemon, call);
    await ended;
    await once(con, "close");
    expect(session.isClosed).toBe(false);
  });

  it("a screenshot resolves to the reply's MIME type and a Readable", async () => {
    const { session, daemon } = sessionPair();
    const opened = callStream(session, remoteProgram, P.domainScreenshot, { dom, screen: 0, flags: 0 }, undefined);
    await daemon.receivedCount(1);
    const call = daemon.received[0]!.header;
    daemon.reply(call, codecs.remote_domain_screenshot_ret, { mime: "image/x-portable-pixmap" });
    const shot = (await opened) as { mime: string; stream: ReceiveStream };
    expect(shot.mime).toBe("image/x-portable-pixmap");
    sendData(daemon, call, Buffer.from("P6\n"));
    sendEnd(daemon, call);
    await until(() => streamPackets(daemon).length === 1);
    sendConfirm(daemon, call);
    expect((await collect(shot.stream)).toString()).toBe("P6\n");
  });

  it("a screenshot whose whole data and end come before the reply: the finish waits for the reply, then completes", async () => {
    const { session, daemon } = sessionPair();
    const opened = callStream(session, remoteProgram, P.domainScreenshot, { dom, screen: 0, flags: 0 }, undefined);
    await daemon.receivedCount(1);
    const call = daemon.received[0]!.header;
    // A small screen: the daemon's stream ends before its reply leaves.
    sendData(daemon, call, Buffer.from("P6\n1 1\n255\n\0\0\0"));
    sendEnd(daemon, call);
    await new Promise((r) => setTimeout(r, 20));
    // Nothing may be sent on a stream the daemon has not opened yet (it would be refused).
    expect(streamPackets(daemon)).toHaveLength(0);
    daemon.reply(call, codecs.remote_domain_screenshot_ret, { mime: "image/x-portable-pixmap" });
    const shot = (await opened) as { mime: string; stream: ReceiveStream };
    const body = collect(shot.stream);
    await until(() => streamPackets(daemon).length === 1);
    expect(streamPackets(daemon)[0]).toMatchObject({ type: MessageType.VIR_NET_STREAM, status: OK, serial: call.serial });
    sendConfirm(daemon, call);
    expect((await body).toString()).toBe("P6\n1 1\n255\n\0\0\0");
    expect(session.isClosed).toBe(false);
  });

  it("a finish waiting for a reply that fails fails too, and the connection dying fails it", async () => {
    const { session, daemon } = sessionPair();
    const opened = callStream(session, remoteProgram, P.domainScreenshot, { dom, screen: 0, flags: 0 }, undefined);
    await daemon.receivedCount(1);
    const call = daemon.received[0]!.header;
    sendEnd(daemon, call);
    await new Promise((r) => setTimeout(r, 20));
    daemon.stream.destroy();
    await expect(opened).rejects.toBeInstanceOf(ConnectionClosedError);
    expect(streamPackets(daemon)).toHaveLength(0);
  });
});
