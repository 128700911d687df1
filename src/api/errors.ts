import { LibvirtRemoteError } from "../errors.js";
import type { TypedParamType } from "../typed-param.js";

/**
 * A typed parameter's value cannot be sent as its field's type (a string
 * for a ullong field, 1.5 for an int, an array for a field libvirt takes
 * once). Thrown before anything is sent.
 */
export class TypedParamError extends LibvirtRemoteError {
  override name = "TypedParamError";
  declare readonly code: "ERR_TYPED_PARAM";

  constructor(
    /** The parameter's name (`bandwidth`). */
    readonly field: string,
    /** The type the field takes. */
    readonly expected: TypedParamType,
    /** What was given. */
    readonly value: unknown,
    why?: string,
  ) {
    super("ERR_TYPED_PARAM", `typed parameter '${field}': ${why ?? `${describe(value)} is not a ${expected}`}`);
  }
}

function describe(v: unknown): string {
  if (typeof v === "string") return `string ${JSON.stringify(v)}`;
  if (typeof v === "bigint") return `bigint ${v}n`;
  if (Array.isArray(v)) return `an array of ${v.length}`;
  return `${v === null ? "null" : typeof v} ${String(v)}`;
}
