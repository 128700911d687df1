/**
 * Values between the wire and the friendly surface: UUIDs as libvirt prints
 * them, C `char[N]` arrays as strings, `{ field, value }` statistics as
 * plain objects, and a JSON replacer for the 64-bit values kept as bigint.
 */

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;

/** 16 bytes -> `"c7a5fdbd-edaf-9455-926a-d65c16db1809"`, as virUUIDFormat prints it. */
export function uuidToString(bytes: Uint8Array): string {
  if (bytes.length !== 16) throw new RangeError(`a UUID has 16 bytes, not ${bytes.length}`);
  const hex = Buffer.from(bytes.buffer, bytes.byteOffset, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The dashed form (or 32 hex digits, as virUUIDParse also takes) -> 16 bytes. */
export function uuidFromString(text: string): Uint8Array {
  if (!UUID.test(text)) throw new RangeError(`not a UUID: ${JSON.stringify(text)}`);
  return new Uint8Array(Buffer.from(text.replace(/-/g, ""), "hex"));
}

export function isUuid(text: string): boolean {
  return UUID.test(text);
}

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
