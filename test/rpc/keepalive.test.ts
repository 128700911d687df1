import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { KEEPALIVE_PROGRAM, KEEPALIVE_PROTOCOL_VERSION, KeepaliveProcedure } from "../../src/gen/virkeepaliveprotocol.js";
import { Keepalive, type KeepaliveLink } from "../../src/rpc/keepalive.js";
import { MessageStatus, MessageType, decodeInbound } from "../../src/rpc/message.js";

const { KEEPALIVE_PROC_PING: PING, KEEPALIVE_PROC_PONG: PONG } = KeepaliveProcedure;

/** A link that writes at once, unless told the peer is not reading (then frames stay queued). */
class FakeLink implements KeepaliveLink {
  isPaused = false;
  stuck = false;
  readonly sent: { proc: number; tag: number }[] = [];
  readonly frames: Uint8Array[] = [];
  private readonly queued: number[] = [];

  has(tag: number): boolean {
    return this.queued.includes(tag);
  }

  send(frame: Uint8Array, tag: number): void {
    this.frames.push(frame);
    this.sent.push({ proc: decodeInbound(frame.subarray(4)).header.proc, tag });
    if (this.stuck) this.queued.push(tag);
  }

  count(proc: number): number {
    return this.sent.filter((s) => s.proc === proc).length;
  }
}

function make(): { ka: Keepalive; link: FakeLink; dead: string[]; stats: { ignoredKeepalives: number } } {
  const link = new FakeLink();
  const dead: string[] = [];
  const stats = { ignoredKeepalives: 0 };
  const ka = new Keepalive(link, stats, 0, (m) => dead.push(m));
  return { ka, link, dead, stats };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("keepalive: the client's PINGs", () => {
  it("a PING after each interval of silence, and the daemon given up after interval × (count + 1)", () => {
    const { ka, link, dead } = make();
    ka.start(1000, 3);
    vi.advanceTimersByTime(999);
    expect(link.count(PING)).toBe(0);
    vi.advanceTimersByTime(1);
    expect(link.count(PING)).toBe(1);
    vi.advanceTimersByTime(2000);
    expect(link.count(PING)).toBe(3);
    vi.advanceTimersByTime(999);
    expect(dead).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(link.count(PING)).toBe(3);
    expect(dead).toEqual(["no reply to 3 keepalive pings (4.0 s of silence)"]);
  });

  it("a whole message from the daemon starts the silence over, PINGs counted anew", () => {
    const { ka, link, dead } = make();
    ka.start(1000, 2);
    vi.advanceTimersByTime(2500);
    expect(link.count(PING)).toBe(2);
    ka.received();
    vi.advanceTimersByTime(999);
    expect(link.count(PING)).toBe(2);
    vi.advanceTimersByTime(1);
    expect(link.count(PING)).toBe(3);
    vi.advanceTimersByTime(1999);
    expect(dead).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(dead).toHaveLength(1);
  });

  it("while reading is stopped (our doing), a PING every interval and never a verdict; silence counts again from the resume", () => {
    const { ka, link, dead } = make();
    link.isPaused = true;
    ka.start(1000, 1);
    // The first tick (a quarter interval in) pings at once, then one per interval.
    vi.advanceTimersByTime(10_000);
    expect(link.count(PING)).toBe(10);
    expect(dead).toEqual([]);
    link.isPaused = false;
    ka.readingResumed();
    vi.advanceTimersByTime(1999);
    expect(link.count(PING)).toBe(11);
    expect(dead).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(dead).toHaveLength(1);
  });

  it("an interval of 0 sends nothing; stop() and close() end the timer", () => {
    const { ka, link, dead } = make();
    ka.start(0, 1);
    vi.advanceTimersByTime(60_000);
    ka.start(1000, 1);
    ka.stop();
    vi.advanceTimersByTime(60_000);
    ka.start(1000, 1);
    ka.close();
    vi.advanceTimersByTime(60_000);
    ka.start(1000, 1);
    vi.advanceTimersByTime(60_000);
    expect(link.sent).toEqual([]);
    expect(dead).toEqual([]);
  });

  it("at most one PING waits unsent when the daemon does not read", () => {
    const { ka, link } = make();
    link.stuck = true;
    link.isPaused = true;
    ka.start(1000, 1);
    vi.advanceTimersByTime(10_000);
    expect(link.count(PING)).toBe(1);
  });
});

describe("keepalive: the daemon's messages", () => {
  it("a PING is answered with a PONG as libvirt frames it; a PONG is taken silently; another procedure is counted and ignored", () => {
    const { ka, link, stats } = make();
    ka.onMessage(PING);
    expect(link.sent).toEqual([{ proc: PONG, tag: -2 }]);
    const { header, body } = decodeInbound(link.frames[0]!.subarray(4));
    expect(header).toEqual({ prog: KEEPALIVE_PROGRAM, vers: KEEPALIVE_PROTOCOL_VERSION, proc: PONG, type: MessageType.VIR_NET_MESSAGE, serial: 0, status: MessageStatus.VIR_NET_OK });
    expect(body.remaining).toBe(0);
    expect(new DataView(link.frames[0]!.buffer, link.frames[0]!.byteOffset).getUint32(0)).toBe(28);
    ka.onMessage(PONG);
    ka.onMessage(99);
    expect(link.sent).toHaveLength(1);
    expect(stats.ignoredKeepalives).toBe(1);
  });

  it("a flood of PINGs from a peer that never reads gets one queued PONG", () => {
    const { ka, link } = make();
    link.stuck = true;
    for (let i = 0; i < 100; i++) ka.onMessage(PING);
    expect(link.count(PONG)).toBe(1);
  });

  it("nothing is answered once closed", () => {
    const { ka, link } = make();
    ka.close();
    ka.onMessage(PING);
    expect(link.sent).toEqual([]);
  });
});
