/**
 * Values between the wire and the friendly surface: UUIDs as libvirt prints
 * them, C `char[N]` arrays as strings, `{ field, value }` statistics as
 * plain objects, and a JSON replacer for the 64-bit values kept as bigint.
 */

export { isUuid, uuidFromString, uuidToString } from "../uuid.js";

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;

export function isMac(text: string): boolean {
  return MAC.test(text);
}

/** A C `char[N]` (nodeGetInfo's `model`): up to the first NUL. */
export function charsToString(chars: readonly number[]): string {
  const end = chars.indexOf(0);
  return Buffer.from((end < 0 ? chars : chars.slice(0, end)).map((c) => c & 0xff)).toString("latin1");
}

/** `[{ field: "total", value: 8n }, ...]` -> `{ total: 8n, ... }`, as libvirt-python's dicts. */
export function fieldMap<V>(stats: readonly { field: string; value: V }[]): Record<string, V> {
  return Object.fromEntries(stats.map((s) => [s.field, s.value]));
}

/**
 * `JSON.stringify(value, jsonReplacer)`: bigints as decimal strings (as
 * protobuf's JSON mapping writes 64-bit integers), byte arrays as hex.
 * Handles and typed parameters already serialize themselves (`toJSON`).
 */
export function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString("hex");
  return value;
}
