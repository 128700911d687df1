import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { EventQueue } from "../../src/events/queue.js";

/** A full garbage collection, so that heap figures count only what is reachable. */
function collect(): void {
  setFlagsFromString("--expose-gc");
  (runInNewContext("gc") as () => void)();
}

/** An event of the size the daemon sends: a domain with name and UUID, event and detail codes. */
const event = (i: number) => ({ family: "domain", event: "lifecycle", data: { dom: { name: `guest-${i}`, uuid: new Uint8Array(16).fill(i & 0xff), id: i }, event: i % 8, detail: 0 } });

describe("EventQueue", () => {
  it("keeps the newest `capacity` items in order, dropping and counting the oldest", () => {
    const q = new EventQueue<number>(3);
    for (let i = 0; i < 10; i++) q.push(i);
    expect(q.length).toBe(3);
    expect(q.dropped).toBe(7);
    expect([q.shift(), q.shift()]).toEqual([7, 8]);
    q.push(10);
    q.push(11);
    expect(q.dropped).toBe(7);
    q.push(12);
    expect(q.dropped).toBe(8);
    expect([q.shift(), q.shift(), q.shift(), q.shift()]).toEqual([10, 11, 12, undefined]);
  });

  it("grows past its first buffer without losing order, wrapped or not", () => {
    const q = new EventQueue<number>(100);
    const out: number[] = [];
    for (let i = 0; i < 10; i++) q.push(i);
    for (let i = 0; i < 5; i++) out.push(q.shift()!);
    for (let i = 10; i < 60; i++) q.push(i); // grows while the head is not at 0
    while (q.length > 0) out.push(q.shift()!);
    expect(out).toEqual(Array.from({ length: 60 }, (_, i) => i));
    expect(q.dropped).toBe(0);
  });

  it("refuses a capacity that bounds nothing", () => {
    for (const c of [0, -1, 1.5, Number.NaN, Infinity]) expect(() => new EventQueue(c)).toThrow(RangeError);
  });

  it("memory is bounded by its capacity: 500,000 events into a queue of 100 with nobody reading (issue 13, defect 4)", () => {
    const q = new EventQueue<ReturnType<typeof event>>(100);
    collect();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 500_000; i++) q.push(event(i));
    collect();
    const grown = process.memoryUsage().heapUsed - before;
    expect(q.length).toBe(100);
    expect(q.dropped).toBe(499_900);
    // 500,000 such events take over 100 MB if kept; 100 of them take tens of kB. 10 MB is a generous bound.
    expect(grown).toBeLessThan(10 * 2 ** 20);
    console.log(`500,000 events through a queue of 100: heap grew ${(grown / 2 ** 10).toFixed(0)} kB`);
  });

  it("a reader that keeps up leaves nothing behind either", () => {
    const q = new EventQueue<ReturnType<typeof event>>(10_000);
    collect();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 200_000; i++) {
      q.push(event(i));
      if (i % 3 !== 0) q.shift();
    }
    while (q.length > 0) q.shift();
    collect();
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(10 * 2 ** 20);
  });
});
