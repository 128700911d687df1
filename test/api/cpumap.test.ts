import { describe, expect, it } from "vitest";
import { cpuMapFromSelection, cpuMapLength, cpuMapToBooleans, cpuMapsToBooleans } from "../../src/api/cpumap.js";

describe("CPU maps as booleans (libvirt's VIR_CPU_MAPLEN, VIR_CPU_USABLE, VIR_USE_CPU)", () => {
  it("sizes a map in whole bytes", () => {
    expect([1, 7, 8, 9, 16, 17].map(cpuMapLength)).toEqual([1, 1, 1, 2, 2, 3]);
  });

  it("reads CPU 0 from the lowest bit of byte 0, map after map", () => {
    // 10 host CPUs, 2 bytes a map: map 0 = CPUs 0 and 9, map 1 = CPUs 1-2 and 8.
    const maps = Uint8Array.of(0b0000_0001, 0b0000_0010, 0b0000_0110, 0b0000_0001);
    expect(cpuMapsToBooleans(maps, 2, 10)).toEqual([
      [true, false, false, false, false, false, false, false, false, true],
      [false, true, true, false, false, false, false, false, true, false],
    ]);
  });

  it("reads bits past a short map's end as false, as libvirt-python does for IOThreads", () => {
    expect(cpuMapToBooleans(Uint8Array.of(0xff), 10, 1)).toEqual([...Array<boolean>(8).fill(true), false, false]);
  });

  it("builds the same map from booleans and from CPU numbers", () => {
    const fromMap = cpuMapFromSelection([false, true, false, false, false, false, false, false, false, true], 10);
    expect(fromMap).toEqual(Uint8Array.of(0b10, 0b10));
    expect(cpuMapFromSelection([9, 1], 10)).toEqual(fromMap);
    // A map shorter than the host leaves the rest unused, as libvirt-python's tuple does.
    expect(cpuMapFromSelection([true], 10)).toEqual(Uint8Array.of(1, 0));
  });

  it("refuses a CPU the host does not have and a mixed or odd selection", () => {
    expect(() => cpuMapFromSelection([10], 10)).toThrow(expect.objectContaining({ code: "ERR_OPTION", message: expect.stringContaining("CPU 10") }));
    expect(() => cpuMapFromSelection([...Array<boolean>(10).fill(false), true], 10)).toThrow(expect.objectContaining({ code: "ERR_OPTION" }));
    expect(() => cpuMapFromSelection([-1], 10)).toThrow(expect.objectContaining({ code: "ERR_OPTION" }));
    expect(() => cpuMapFromSelection([1.5], 10)).toThrow(expect.objectContaining({ code: "ERR_OPTION" }));
    expect(() => cpuMapFromSelection([true, 1] as unknown as number[], 10)).toThrow(expect.objectContaining({ code: "ERR_OPTION" }));
  });
});
