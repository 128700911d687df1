/**
 * Deep equality for codec values, reporting where two values first differ.
 * Numbers compare with Object.is: NaN equals NaN (a decoded NaN is the same
 * value whatever its payload), while -0 and +0 differ (the wire keeps the
 * sign). Objects must have the same own keys; Uint8Arrays compare by bytes.
 */
export function firstDifference(a: unknown, b: unknown, path = "$"): string | null {
  if (typeof a !== typeof b) return `${path}: ${show(a)} vs ${show(b)}`;
  if (typeof a === "number" || typeof a === "bigint" || typeof a === "string" || typeof a === "boolean") {
    return Object.is(a, b) ? null : `${path}: ${show(a)} vs ${show(b)}`;
  }
  if (a === null || b === null) return a === b ? null : `${path}: ${show(a)} vs ${show(b)}`;
  if (typeof a !== "object") return Object.is(a, b) ? null : `${path}: ${show(a)} vs ${show(b)}`;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    if (!(a instanceof Uint8Array) || !(b instanceof Uint8Array)) return `${path}: ${show(a)} vs ${show(b)}`;
    if (a.length !== b.length) return `${path}: ${a.length} bytes vs ${b.length} bytes`;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return `${path}[${i}]: ${a[i]} vs ${b[i]}`;
    return null;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b)) return `${path}: ${show(a)} vs ${show(b)}`;
    if (a.length !== b.length) return `${path}: ${a.length} elements vs ${b.length} elements`;
    for (let i = 0; i < a.length; i++) {
      const d = firstDifference(a[i], b[i], `${path}[${i}]`);
      if (d !== null) return d;
    }
    return null;
  }
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  for (const k of ka) if (!kb.includes(k)) return `${path}.${k}: present vs missing`;
  for (const k of kb) if (!ka.includes(k)) return `${path}.${k}: missing vs present`;
  for (const k of ka) {
    const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
    if (d !== null) return d;
  }
  return null;
}

function show(v: unknown): string {
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === "number") return Object.is(v, -0) ? "-0" : String(v);
  if (v instanceof Uint8Array) return `Uint8Array(${v.length})`;
  if (Array.isArray(v)) return `array(${v.length})`;
  return v === null ? "null" : typeof v === "object" ? "object" : String(v);
}

/** Where two byte strings first differ, with a little hex either side. */
export function bytesDifference(a: Uint8Array, b: Uint8Array): string | null {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  if (i === n && a.length === b.length) return null;
  const from = Math.max(0, i - 8);
  const hex = (x: Uint8Array): string => Buffer.from(x.subarray(from, Math.min(x.length, i + 8))).toString("hex");
  return `lengths ${a.length} vs ${b.length}, first difference at byte ${i}: …${hex(a)}… vs …${hex(b)}… (from byte ${from})`;
}
