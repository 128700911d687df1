import { XdrError } from "./errors.js";
import type { SchemaRegistry, WireSchema } from "./schema.js";

/**
 * JSON for XDR values, as the command line prints and reads them:
 * hyper and unsigned hyper as decimal strings (numbers accepted on input),
 * opaque as base64 strings, optional as null, enums as numbers (member
 * names accepted on input), everything else as itself.
 */
export function toJson(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("base64");
  if (Array.isArray(value)) return value.map(toJson);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJson(v)]));
  }
  return value;
}

/** Converts JSON into the value the named type's encoder takes. */
export function fromJson(schema: SchemaRegistry, type: string, json: unknown): unknown {
  return new Converter(schema).type(type, json, type);
}

class Converter {
  constructor(private readonly schema: SchemaRegistry) {}

  type(name: string, json: unknown, path: string): unknown {
    const t = this.schema[name];
    if (t === undefined) throw new XdrError("XDR_BAD_VALUE", `unknown type ${name}`);
    if ("typedef" in t) return this.wire(t.typedef, json, path);
    if ("enum" in t) {
      if (typeof json === "string" && json in t.enum) return t.enum[json];
      return json;
    }
    if ("struct" in t) {
      const obj = this.object(json, path);
      return Object.fromEntries(t.struct.map(([f, w]) => [f, this.wire(w, obj[f], `${path}.${f}`)]));
    }
    const u = t.union;
    const obj = this.object(json, path);
    const [dname, dwire] = u.discriminant;
    const disc = this.wire(dwire, obj[dname], `${path}.${dname}`);
    const arm = u.arms.find(([cases]) => cases.includes(disc as number));
    const field = arm === undefined ? u.default : arm[1];
    const out: Record<string, unknown> = { [dname]: disc };
    if (field !== undefined && field !== null) out[field[0]] = this.wire(field[1], obj[field[0]], `${path}.${field[0]}`);
    return out;
  }

  private wire(w: WireSchema, json: unknown, path: string): unknown {
    if (typeof w === "string") {
      if ((w === "hyper" || w === "uhyper") && (typeof json === "string" || typeof json === "number")) {
        try {
          return BigInt(json);
        } catch {
          throw new XdrError("XDR_BAD_VALUE", `${path}: ${JSON.stringify(json)} is not an integer`);
        }
      }
      return json;
    }
    if ("opaque" in w || "fixedOpaque" in w) {
      if (typeof json === "string") return Uint8Array.from(Buffer.from(json, "base64"));
      if (Array.isArray(json)) return Uint8Array.from(json as number[]);
      return json;
    }
    if ("array" in w || "fixedArray" in w) {
      const of = "array" in w ? w.array : w.fixedArray;
      return Array.isArray(json) ? json.map((x, i) => this.wire(of, x, `${path}[${i}]`)) : json;
    }
    if ("optional" in w) return json === null || json === undefined ? null : this.wire(w.optional, json, path);
    if ("ref" in w) return this.type(w.ref, json, path);
    return json;
  }

  private object(json: unknown, path: string): Record<string, unknown> {
    if (json === null || typeof json !== "object" || Array.isArray(json)) {
      throw new XdrError("XDR_BAD_VALUE", `${path}: expected a JSON object, got ${JSON.stringify(json)}`);
    }
    return json as Record<string, unknown>;
  }
}
