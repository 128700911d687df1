/** UUIDs as libvirt prints and parses them (virUUIDFormat, virUUIDParse's common forms). */

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

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
