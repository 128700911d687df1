import type { AdminTypedParamValue } from "./gen/admin_protocol.js";
import { VirTypedParameterType as T } from "./gen/libvirt_common.js";
import type { RemoteTypedParamValue } from "./gen/remote_protocol.js";

/** What a typed parameter holds, in JavaScript. */
export type TypedScalar = number | bigint | boolean | string;

/** A typed parameter's wire type, by libvirt's name without `VIR_TYPED_PARAM_`. */
export type TypedParamType = "int" | "uint" | "llong" | "ullong" | "double" | "boolean" | "string";

/**
 * The value a typed parameter carries, whatever its type (a boolean as a
 * boolean). The remote and admin programs define the same union apart.
 */
export function typedParamValue(v: RemoteTypedParamValue | AdminTypedParamValue): TypedScalar {
  switch (v.type) {
    case T.VIR_TYPED_PARAM_INT:
      return v.i;
    case T.VIR_TYPED_PARAM_UINT:
      return v.ui;
    case T.VIR_TYPED_PARAM_LLONG:
      return v.l;
    case T.VIR_TYPED_PARAM_ULLONG:
      return v.ul;
    case T.VIR_TYPED_PARAM_DOUBLE:
      return v.d;
    case T.VIR_TYPED_PARAM_BOOLEAN:
      return v.b !== 0;
    case T.VIR_TYPED_PARAM_STRING:
      return v.s;
  }
}
