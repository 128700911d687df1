import { describe, expect, it } from "vitest";
import { remoteProgram } from "../../src/gen/remote_protocol.js";
import { codecs as net } from "../../src/gen/virnetprotocol.js";
import { ConnectionClosedError, LibvirtError, ProtocolError, UnsupportedError } from "../../src/rpc/errors.js";
import { MessageStatus, MessageType, decodeInbound, encodeStreamFrame, type Header } from "../../src/rpc/message.js";
import { InboundFlow } from "../../src/rpc/stream-flow.js";
import { STREAM_PACKET, type StreamHandlers } from "../../src/rpc/stream-handle.js";
import { StreamTable, type StreamLink } from "../../src/rpc/stream-table.js";
import { XdrWriter } from "../../src/xdr/index.js";

const P = remoteProgram.procedures;
const { VIR_NET_OK: OK, VIR_NET_ERROR: ERROR, VIR_NET_CONTINUE: CONTINUE } = MessageStatus;
const { VIR_NET_STREAM: STREAM, VIR_NET_STREAM_HOLE: HOLE } = MessageType;

/** The frames the table wrote, decoded, with their payloads joined back. */
class FakeLink implements StreamLink {
  readonly frames: { header: Header; payload: Uint8Array }[] = [];
  backlog = 0;
  send(frame: Uint8Array): void {
    const { header, body } = decodeInbound(frame.subarray(4));
    this.frames.push({ header, payload: frame.subarray(4 + body.pos) });
  }
  sendSplit(head: Uint8Array, payload: Uint8Array): void {
    expect(new DataView(head.buffer, head.byteOffset).getUint32(0)).toBe(head.length + payload.length);
    this.frames.push({ header: decodeInbound(head.subarray(4)).header, payload });
  }
  drained(): Promise<void> {
    return Promise.resolve();
  }
}

/** What the stream's owner was told. */
class Owner implements StreamHandlers {
  readonly log: string[] = [];
  room = true;
  data(bytes: Uint8Array): boolean {
    this.log.push(`data ${bytes.length}`);
    return this.room;
  }
  hole(length: number): boolean {
    this.log.push(`hole ${length}`);
    return this.room;
  }
  end(): void {
    this.log.push("end");
  }
  error(err: Error): void {
    this.log.push(`error ${err.constructor.name}`);
  }
}

function make(sparse = false) {
  const link = new FakeLink();
  const reading = { waitingCalls: 0, paused: false, pause: () => void (reading.paused = true), resume: () => void (reading.paused = false) };
  const stats = { ignoredStreamMessages: 0, streamPauses: 0, streamPausedMs: 0, streamOverflowPeak: 0 };
  let closeError: Error | null = null;
  const table = new StreamTable(link, new InboundFlow(reading, stats, 1 << 20), stats, () => closeError);
  const owner = new Owner();
  const { entry, handle } = table.open(7, remoteProgram, P.storageVolDownload, owner, sparse);
  const to = { prog: remoteProgram.program, vers: remoteProgram.version, proc: P.storageVolDownload.number, serial: 7 };
  /** A packet from the daemon on this stream. */
  const packet = (status: number, payload: Uint8Array = new Uint8Array(0), type: number = STREAM): void => table.onPacket(decodeInbound(encodeStreamFrame(to, status, type, payload).subarray(4)));
  const close = (err: Error): void => {
    closeError = err;
    table.closeAll(err);
  };
  return { table, link, reading, stats, owner, entry, handle, packet, close };
}

/** The outcome of a promise once every pending callback has run: what the owner knows by then. */
async function outcome(p: Promise<unknown>): Promise<unknown> {
  let settled: unknown = "pending";
  p.then(
    () => (settled = "resolved"),
    (e: unknown) => (settled = e),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return settled;
}

function errorBody(): Uint8Array {
  const w = new XdrWriter();
  net.virNetMessageError.encode(w, { code: 1, domain: 18, message: "gone", level: 2, dom: null, str1: null, str2: null, str3: null, int1: -1, int2: -1, net: null });
  return w.bytes.slice(0, w.pos);
}

function holeBody(length: bigint): Uint8Array {
  const w = new XdrWriter();
  net.virNetStreamHole.encode(w, { length, flags: 0 });
  return w.bytes.slice(0, w.pos);
}

describe("the stream table: sending", () => {
  it("nothing goes out before the opening call's reply; then data is cut into packets of libvirt's size, headed with the call's serial", () => {
    const { table, link, handle } = make();
    expect(handle.serial).toBe(7);
    expect(handle.isOpen).toBe(false);
    expect(handle.send(new Uint8Array(10))).toBe(false);
    table.replied(7);
    expect(handle.isOpen).toBe(true);
    expect(handle.send(new Uint8Array(STREAM_PACKET + 5))).toBe(true);
    expect(link.frames.map((f) => [f.header.type, f.header.status, f.header.serial, f.header.proc, f.payload.length])).toEqual([
      [STREAM, CONTINUE, 7, P.storageVolDownload.number, STREAM_PACKET],
      [STREAM, CONTINUE, 7, P.storageVolDownload.number, 5],
    ]);
  });

  it("a finish asked for before the reply goes out with it, and resolves on the daemon's confirmation; later packets are ignored and counted", async () => {
    const { table, link, handle, packet, stats, owner } = make();
    packet(CONTINUE, new Uint8Array(3));
    packet(CONTINUE);
    const finished = handle.finish();
    expect(link.frames).toEqual([]);
    table.replied(7);
    expect(link.frames.map((f) => [f.header.type, f.header.status, f.payload.length])).toEqual([[STREAM, OK, 0]]);
    expect(handle.isOpen).toBe(false);
    packet(OK);
    await finished;
    packet(CONTINUE, new Uint8Array(1));
    expect(stats.ignoredStreamMessages).toBe(1);
    expect(owner.log).toEqual(["data 3", "end"]);
    await expect(handle.finish()).rejects.toBeInstanceOf(ProtocolError);
  });

  it("holes only on a sparse stream, and only of a positive whole length", () => {
    const dense = make();
    dense.table.replied(7);
    expect(() => dense.handle.sendHole(4096)).toThrow(UnsupportedError);
    const sparse = make(true);
    sparse.table.replied(7);
    expect(() => sparse.handle.sendHole(0)).toThrow(RangeError);
    expect(sparse.handle.sendHole(4096)).toBe(true);
    const [hole] = sparse.link.frames;
    expect(hole!.header.type).toBe(HOLE);
    expect(Buffer.from(hole!.payload)).toEqual(Buffer.from(holeBody(4096n)));
  });
});

describe("the stream table: what the daemon sends", () => {
  it("a consumer that is full stops reading; the handle's resume() starts it again", () => {
    const { table, reading, handle, packet, owner } = make();
    table.replied(7);
    owner.room = false;
    packet(CONTINUE, new Uint8Array(8));
    expect(reading.paused).toBe(true);
    handle.resume();
    expect(reading.paused).toBe(false);
  });

  it("an abort releases the reading a full consumer held back", async () => {
    const { table, reading, handle, packet, owner } = make();
    table.replied(7);
    owner.room = false;
    packet(CONTINUE, new Uint8Array(8));
    const aborted = handle.abort();
    expect(reading.paused).toBe(false);
    packet(OK);
    await aborted;
  });

  it("a hole on a stream not opened sparse fails it and asks the daemon to abort; on a sparse one it reaches the owner", () => {
    const dense = make();
    dense.table.replied(7);
    dense.packet(CONTINUE, holeBody(512n), HOLE);
    expect(dense.owner.log).toEqual(["error ProtocolError"]);
    expect(dense.link.frames.map((f) => [f.header.type, f.header.status])).toEqual([[STREAM, ERROR]]);
    const sparse = make(true);
    sparse.packet(CONTINUE, holeBody(512n), HOLE);
    sparse.packet(CONTINUE, holeBody(0n), HOLE);
    expect(sparse.owner.log).toEqual(["hole 512", "error ProtocolError"]);
  });

  it("the daemon's error fails the stream with a LibvirtError and forgets it", () => {
    const { packet, owner, stats, handle, table } = make();
    table.replied(7);
    packet(ERROR, errorBody());
    expect(owner.log).toEqual(["error LibvirtError"]);
    expect(handle.isOpen).toBe(false);
    packet(CONTINUE, new Uint8Array(1));
    expect(stats.ignoredStreamMessages).toBe(1);
  });

  it("the daemon's error after a finish or abort asked for before the reply rejects that promise with it, and the owner's handlers are not told", async () => {
    for (const ask of ["finish", "abort"] as const) {
      const { packet, owner, handle, link } = make();
      const closing = handle[ask]();
      packet(ERROR, errorBody());
      expect(owner.log).toEqual([]);
      expect(await outcome(closing)).toBeInstanceOf(LibvirtError);
      expect(link.frames).toEqual([]);
    }
  });

  it("a protocol error on a stream whose finish waits for the reply rejects the finish with it, not the handlers", async () => {
    const { packet, owner, handle, table, link } = make();
    const finished = handle.finish();
    packet(CONTINUE, holeBody(512n), HOLE);
    expect(owner.log).toEqual([]);
    expect(await outcome(finished)).toBeInstanceOf(ProtocolError);
    // The daemon's side is still aborted once the reply says it opened.
    table.replied(7);
    expect(link.frames.map((f) => [f.header.type, f.header.status])).toEqual([[STREAM, ERROR]]);
  });

  it("a confirmation nobody asked for, or an unknown status, is fatal to the connection (thrown to the session)", () => {
    const { packet, table } = make();
    table.replied(7);
    expect(() => packet(OK)).toThrow(ProtocolError);
    expect(() => packet(99)).toThrow(ProtocolError);
  });
});

describe("the stream table: calls given up on, and the connection's end", () => {
  it("an orphan whose late reply says it opened is aborted; one whose reply failed is forgotten; its owner is never told", () => {
    const opened = make();
    opened.table.callFailed(opened.entry, true);
    opened.table.lateReply(7, true);
    expect(opened.link.frames.map((f) => [f.header.type, f.header.status])).toEqual([[STREAM, ERROR]]);
    const refused = make();
    refused.table.callFailed(refused.entry, true);
    refused.table.lateReply(7, false);
    refused.packet(CONTINUE, new Uint8Array(1));
    expect(refused.link.frames).toEqual([]);
    expect(refused.stats.ignoredStreamMessages).toBe(1);
    expect([...opened.owner.log, ...refused.owner.log]).toEqual([]);
  });

  it("a finish or abort waiting for the reply of a call given up on fails at once; the late reply still aborts the daemon's side", async () => {
    const { table, entry, handle, link, owner, packet } = make();
    const finished = handle.finish();
    const aborted = handle.abort();
    table.callFailed(entry, true);
    const [finishOutcome, abortOutcome] = await Promise.all([outcome(finished), outcome(aborted)]);
    expect(finishOutcome).toBeInstanceOf(ProtocolError);
    expect(abortOutcome).toBeInstanceOf(ProtocolError);
    // Asked for after the give-up: fails at once too, not queued for a reply that may never come.
    expect(await outcome(handle.finish())).toBeInstanceOf(ProtocolError);
    expect(link.frames).toEqual([]);
    table.lateReply(7, true);
    expect(link.frames.map((f) => [f.header.type, f.header.status])).toEqual([[STREAM, ERROR]]);
    packet(OK);
    expect(handle.isOpen).toBe(false);
    expect(owner.log).toEqual([]);
  });

  it("a failed opening call forgets the stream, and a finish waiting for the reply fails", async () => {
    const { table, entry, handle } = make();
    const finished = handle.finish();
    table.callFailed(entry, false);
    await expect(finished).rejects.toThrow(/already over/);
  });

  it("closing errors open streams and rejects a finish under way; later operations fail with the connection's error", async () => {
    const a = make();
    a.table.replied(7);
    const err = new ConnectionClosedError("eof", "gone");
    a.close(err);
    expect(a.owner.log).toEqual(["error ConnectionClosedError"]);
    await expect(a.handle.finish()).rejects.toBe(err);
    expect(a.handle.send(new Uint8Array(1))).toBe(false);
    const b = make();
    b.table.replied(7);
    const finishing = b.handle.finish();
    b.close(err);
    await expect(finishing).rejects.toBe(err);
    expect(b.owner.log).toEqual([]);
    // A finish still waiting for the opening call's reply: its promise says it, the handlers do not.
    const c = make();
    const early = c.handle.finish();
    c.close(err);
    expect(c.owner.log).toEqual([]);
    expect(await outcome(early)).toBe(err);
  });
});
