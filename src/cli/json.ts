// The command line's JSON beyond src/xdr/json.ts's conventions: a UUID (an
// opaque[16] field named `uuid`, as every libvirt object carries one) is
// printed in the dashed form every libvirt tool prints, and read back in
// that form as well as in base64.

import { uuidToString } from "../uuid.js";
import { toJson } from "../xdr/index.js";

const DASHED = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A decoded value as JSON, UUIDs dashed. */
export function toCliJson(value: unknown): unknown {
  return toJson(dashUuids(value));
}

function dashUuids(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dashUuids);
  if (value === null || typeof value !== "object" || value instanceof Uint8Array) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, k === "uuid" && v instanceof Uint8Array && v.length === 16 ? uuidToString(v) : dashUuids(v)]),
  );
}

/** Parsed JSON with every dashed `uuid` turned into the bytes fromJson takes (base64 ones pass as they are). */
export function fromCliJson(json: unknown): unknown {
  if (Array.isArray(json)) return json.map(fromCliJson);
  if (json === null || typeof json !== "object") return json;
  return Object.fromEntries(
    Object.entries(json).map(([k, v]) => [k, k === "uuid" && typeof v === "string" && DASHED.test(v) ? [...Buffer.from(v.replace(/-/g, ""), "hex")] : fromCliJson(v)]),
  );
}
