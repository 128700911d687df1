/**
 * Comparing a friendly value (after its method's normalisation) with the
 * value libvirt-python gave, as twin.py encodes it: ints as `{ i }`
 * (decimal text, so 64-bit values stay exact), floats as `{ f }`, bytes
 * as `{ b }` (hex), tuples as lists. Types count: a bool is not 1, a
 * string is not a number.
 */

/** Marks a value the harness does not compare (a counter that moves between two reads): only its kind must match. */
export const VOLATILE = Symbol("volatile");

export type PyValue = null | boolean | string | PyValue[] | { i: string } | { f: number } | { b: string } | { [k: string]: PyValue };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

function only(v: Record<string, unknown>, key: string): boolean {
  const keys = Object.keys(v);
  return keys.length === 1 && keys[0] === key;
}

/** Whether `ours` equals `py`; `{ volatile }` in ours matches any number. */
export function same(py: unknown, ours: unknown): boolean {
  if (ours === VOLATILE) return isObject(py) && (only(py, "i") || only(py, "f"));
  if (isObject(py) && only(py, "i") && typeof py["i"] === "string") {
    return (typeof ours === "bigint" || (typeof ours === "number" && Number.isInteger(ours))) && String(ours) === py["i"];
  }
  if (isObject(py) && only(py, "f") && typeof py["f"] === "number") return typeof ours === "number" && ours === py["f"];
  if (isObject(py) && only(py, "b") && typeof py["b"] === "string") return ours instanceof Uint8Array && Buffer.from(ours).toString("hex") === py["b"];
  if (py === null) return ours === null || ours === undefined;
  if (typeof py === "boolean" || typeof py === "string") return ours === py;
  if (Array.isArray(py)) return Array.isArray(ours) && ours.length === py.length && py.every((x, i) => same(x, ours[i]));
  if (isObject(py)) {
    if (!isObject(ours)) return false;
    const a = Object.keys(py).sort();
    const b = Object.keys(ours).sort();
    return a.length === b.length && a.every((k, i) => k === b[i] && same(py[k], ours[k]));
  }
  return false;
}

/** A value as one line of text for a report: bigints as digits, bytes as hex. */
export function show(v: unknown, limit = 160): string {
  const text =
    JSON.stringify(v, (_k, x: unknown) => {
      if (typeof x === "bigint") return `${x}n`;
      if (x instanceof Uint8Array) return `0x${Buffer.from(x).toString("hex")}`;
      if (x === VOLATILE) return "<volatile>";
      return x;
    }) ?? String(v);
  return text.length > limit ? `${text.slice(0, limit)}...` : text;
}

/** Where two unequal values part: the keys only one side has and the keys whose values differ (for objects). */
export function whereTheyDiffer(py: unknown, ours: unknown): string {
  if (!isObject(py) || !isObject(ours) || only(py, "i") || only(py, "f") || only(py, "b")) return "";
  const pyKeys = Object.keys(py);
  const ourKeys = Object.keys(ours);
  const parts = [
    ["only libvirt-python has", pyKeys.filter((k) => !(k in ours))],
    ["only ours has", ourKeys.filter((k) => !(k in py))],
    ["values differ for", pyKeys.filter((k) => k in ours && !same(py[k], ours[k]))],
  ] as const;
  return parts
    .filter(([, keys]) => keys.length > 0)
    .map(([what, keys]) => `${what} ${keys.join(", ")}`)
    .join("; ");
}

