/**
 * libvirt's CPU maps (one bit per host CPU, 8 to a byte, CPU 0 in the
 * lowest bit of byte 0) as `boolean[]`, one entry per host CPU, the way
 * libvirt-python gives them as tuples of booleans. Pure functions.
 */
import { OptionError } from "../errors.js";

/** Host CPUs to pin to: a map (`[true, false, true]`) or their numbers (`[0, 2]`). */
export type CpuSelection = readonly boolean[] | readonly number[];

/** Bytes a map of `cpus` host CPUs takes (libvirt's VIR_CPU_MAPLEN). */
export function cpuMapLength(cpus: number): number {
  return Math.ceil(cpus / 8);
}

/**
 * Map `index` of `maps` (maps of `maplen` bytes laid end to end) as
 * `cpus` booleans; bits past the end of the bytes read as false, as
 * libvirt-python does for a short IOThread map.
 */
export function cpuMapToBooleans(maps: Uint8Array, cpus: number, maplen = cpuMapLength(cpus), index = 0): boolean[] {
  const base = index * maplen;
  const out: boolean[] = [];
  for (let cpu = 0; cpu < cpus; cpu++) {
    const byte = Math.floor(cpu / 8);
    out.push(byte < maplen && base + byte < maps.length && (maps[base + byte]! & (1 << cpu % 8)) !== 0);
  }
  return out;
}

/** Every map of `maps` (each `maplen` bytes), up to `count`, as booleans. */
export function cpuMapsToBooleans(maps: Uint8Array, count: number, cpus: number, maplen = cpuMapLength(cpus)): boolean[][] {
  return Array.from({ length: count }, (_, i) => cpuMapToBooleans(maps, cpus, maplen, i));
}

/**
 * A selection as the map the daemon takes, `cpuMapLength(cpus)` bytes.
 * A CPU the host does not have is refused here: the daemon would pin to
 * what is left or fail with a less telling message.
 */
export function cpuMapFromSelection(selection: CpuSelection, cpus: number): Uint8Array {
  const map = new Uint8Array(cpuMapLength(cpus));
  const use = (cpu: number): void => {
    if (!Number.isInteger(cpu) || cpu < 0 || cpu >= cpus) throw new OptionError(`CPU ${String(cpu)} is not one of the host's ${cpus} CPUs (0-${cpus - 1})`);
    map[cpu >> 3]! |= 1 << cpu % 8;
  };
  const kind = typeof selection[0];
  selection.forEach((v: boolean | number, i: number) => {
    if (typeof v !== kind || (kind !== "boolean" && kind !== "number")) throw new OptionError(`a CPU selection is all booleans (a map) or all CPU numbers; item ${i} is ${typeof v} ${String(v)}`);
    if (typeof v === "number") use(v);
    else if (v) use(i);
  });
  return map;
}
