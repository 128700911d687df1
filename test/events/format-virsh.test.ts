import { afterEach, describe, expect, it, vi } from "vitest";
import { formatVirsh, virshTimestamp } from "../../src/events/index.js";
import type { LibvirtEvent } from "../../src/events/types.js";

const dom = { name: "d", uuid: new Uint8Array(16), id: 1 };
const lifecycle = { family: "domain", event: "lifecycle", data: { dom, event: 2, detail: 0 } } as unknown as LibvirtEvent;
const monitor = { family: "qemu", event: "monitor", data: { dom, event: "STOP", seconds: 1700000000, micros: 45, details: null } } as unknown as LibvirtEvent;
const tunable = {
  family: "domain",
  event: "tunable",
  data: { dom, params: [{ field: "cputune.vcpu_period", value: { type: 4, ul: 100000 } }] },
} as unknown as LibvirtEvent;
// 2026-11-21 12:16:20.238 UTC
const at = new Date(Date.UTC(2026, 10, 21, 12, 16, 20, 238));

afterEach(() => {
  vi.useRealTimers();
});

describe("formatVirsh: what virsh event prints, one line, no newline", () => {
  it("ends without a newline, so console.log prints it once", () => {
    expect(formatVirsh(lifecycle)).toBe("event 'lifecycle' for domain 'd': Started Booted");
  });

  it("{ timestamp: true } puts virsh's stamp of now first, as virsh event --timestamp", () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(at);
    expect(formatVirsh(lifecycle, { timestamp: true })).toBe("2026-11-21 12:16:20.238+0000: event 'lifecycle' for domain 'd': Started Booted");
  });

  it("{ timestamp: date } stamps that time", () => {
    expect(formatVirsh(lifecycle, { timestamp: at })).toBe("2026-11-21 12:16:20.238+0000: event 'lifecycle' for domain 'd': Started Booted");
    expect(formatVirsh(lifecycle, { timestamp: false })).toBe("event 'lifecycle' for domain 'd': Started Booted");
  });

  it("a QEMU monitor event: its own time without --timestamp, virsh's stamp instead of it with", () => {
    expect(formatVirsh(monitor)).toBe("event STOP at 1700000000.000045 for domain 'd': <null>");
    expect(formatVirsh(monitor, { timestamp: at })).toBe("2026-11-21 12:16:20.238+0000: event STOP for domain 'd': <null>");
  });

  it("an event virsh prints on several lines keeps its inner newlines, not the last", () => {
    expect(formatVirsh(tunable)).toBe("event 'tunable' for domain 'd':\n\tcputune.vcpu_period: 100000");
  });
});

describe("virshTimestamp (libvirt's virTimeStringNowRaw)", () => {
  it("is UTC, zero-padded, to the millisecond, with +0000", () => {
    expect(virshTimestamp(new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6)))).toBe("2026-01-02 03:04:05.006+0000");
    expect(virshTimestamp(at)).toBe("2026-11-21 12:16:20.238+0000");
  });
});
