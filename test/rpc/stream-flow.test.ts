import { afterEach, describe, expect, it, vi } from "vitest";
import { InboundFlow, type FlowState, type ReadingControl } from "../../src/rpc/stream-flow.js";

/** Records the switch as the session's link would see it. */
class FakeReading implements ReadingControl {
  waitingCalls = 0;
  paused = false;
  readonly log: string[] = [];
  pause(): void {
    this.paused = true;
    this.log.push("pause");
  }
  resume(): void {
    this.paused = false;
    this.log.push("resume");
  }
}

function make(digLimit = 100): { flow: InboundFlow; reading: FakeReading; stats: { streamPauses: number; streamPausedMs: number; streamOverflowPeak: number } } {
  const reading = new FakeReading();
  const stats = { streamPauses: 0, streamPausedMs: 0, streamOverflowPeak: 0 };
  return { flow: new InboundFlow(reading, stats, digLimit), reading, stats };
}

const stream = (): FlowState => ({ full: false, overflow: 0 });

afterEach(() => {
  vi.useRealTimers();
});

describe("inbound flow control", () => {
  it("a full consumer with no call waiting stops reading at once; its room resumes it, the stop timed", () => {
    vi.useFakeTimers();
    const { flow, reading, stats } = make();
    const s = stream();
    flow.consumed(s, true, 10);
    expect(reading.log).toEqual([]);
    flow.consumed(s, false, 10);
    expect(reading.log).toEqual(["pause"]);
    expect(flow.isPaused).toBe(true);
    vi.advanceTimersByTime(500);
    flow.consumed(s, true, 0);
    expect(reading.log).toEqual(["pause", "resume"]);
    expect(stats).toEqual({ streamPauses: 1, streamPausedMs: 500, streamOverflowPeak: 0 });
  });

  it("while a call waits, reading goes on past a full consumer until the dig limit, then stops; room releases the overflow", () => {
    const { flow, reading, stats } = make(100);
    reading.waitingCalls = 1;
    const s = stream();
    // The packet that fills the consumer is not overflow; what comes after it is.
    flow.consumed(s, false, 40);
    flow.consumed(s, false, 60);
    expect(reading.log).toEqual([]);
    expect(s).toEqual({ full: true, overflow: 60 });
    flow.consumed(s, false, 40);
    expect(reading.log).toEqual(["pause"]);
    expect(stats.streamOverflowPeak).toBe(100);
    flow.consumed(s, true, 0);
    expect(s).toEqual({ full: false, overflow: 0 });
    expect(reading.log).toEqual(["pause", "resume"]);
    // The overflow was released: the next fill starts from nothing.
    flow.consumed(s, false, 1);
    flow.consumed(s, false, 99);
    expect(reading.log).toEqual(["pause", "resume"]);
    expect(stats.streamOverflowPeak).toBe(100);
  });

  it("a call sent while a consumer is full resumes reading; its reply (no call left) stops it again", () => {
    const { flow, reading } = make();
    const s = stream();
    flow.consumed(s, false, 1);
    expect(reading.log).toEqual(["pause"]);
    reading.waitingCalls = 1;
    flow.update();
    expect(reading.log).toEqual(["pause", "resume"]);
    reading.waitingCalls = 0;
    flow.update();
    expect(reading.log).toEqual(["pause", "resume", "pause"]);
  });

  it("with two full consumers, reading resumes only once both have room", () => {
    const { flow, reading } = make();
    const a = stream();
    const b = stream();
    flow.consumed(a, false, 1);
    flow.consumed(b, false, 1);
    flow.consumed(a, true, 0);
    expect(reading.log).toEqual(["pause"]);
    flow.consumed(b, true, 0);
    expect(reading.log).toEqual(["pause", "resume"]);
  });

  it("the overflow of every full consumer counts toward the dig limit", () => {
    const { flow, reading, stats } = make(100);
    reading.waitingCalls = 1;
    const a = stream();
    const b = stream();
    flow.consumed(a, false, 1);
    flow.consumed(b, false, 1);
    flow.consumed(a, false, 50);
    expect(reading.log).toEqual([]);
    flow.consumed(b, false, 50);
    expect(reading.log).toEqual(["pause"]);
    expect(stats.streamOverflowPeak).toBe(100);
    // Releasing one consumer's overflow brings the total under the limit again.
    flow.consumed(a, true, 0);
    expect(reading.log).toEqual(["pause", "resume"]);
  });

  it("a pause still running when the connection closes is booked in streamPausedMs", () => {
    vi.useFakeTimers();
    const { flow, stats } = make();
    const s = stream();
    flow.consumed(s, false, 10);
    vi.advanceTimersByTime(700);
    flow.close();
    flow.close();
    expect(stats).toEqual({ streamPauses: 1, streamPausedMs: 700, streamOverflowPeak: 0 });
    expect(flow.isPaused).toBe(false);
  });

  it("once closed, reading is left alone", () => {
    const { flow, reading } = make();
    const s = stream();
    flow.close();
    flow.consumed(s, false, 1);
    flow.update();
    expect(reading.log).toEqual([]);
  });
});
