import type { AdminTypedParam, AdminTypedParamValue } from "../gen/admin_protocol.js";
import { VirTypedParameterType } from "../gen/libvirt_common.js";

export type TypedParamScalar = number | bigint | boolean | string;

/** The value a typed parameter carries, whatever its type (booleans as booleans). */
export function typedParamValue(v: AdminTypedParamValue): TypedParamScalar {
  switch (v.type) {
    case VirTypedParameterType.VIR_TYPED_PARAM_INT:
      return v.i;
    case VirTypedParameterType.VIR_TYPED_PARAM_UINT:
      return v.ui;
    case VirTypedParameterType.VIR_TYPED_PARAM_LLONG:
      return v.l;
    case VirTypedParameterType.VIR_TYPED_PARAM_ULLONG:
      return v.ul;
    case VirTypedParameterType.VIR_TYPED_PARAM_DOUBLE:
      return v.d;
    case VirTypedParameterType.VIR_TYPED_PARAM_BOOLEAN:
      return v.b !== 0;
    case VirTypedParameterType.VIR_TYPED_PARAM_STRING:
      return v.s;
  }
}

/** Typed parameters as a plain object, in the daemon's order (a repeated field keeps its last value). */
export function typedParamsObject(params: readonly AdminTypedParam[]): Record<string, TypedParamScalar> {
  return Object.fromEntries(params.map((p) => [p.field, typedParamValue(p.value)]));
}

/**
 * Unsigned-int parameters, the only type the admin setters take
 * (threadpool sizes, client limits), in the order given.
 */
export function uintParams(values: Record<string, number>): AdminTypedParam[] {
  return Object.entries(values).map(([field, ui]) => ({ field, value: { type: VirTypedParameterType.VIR_TYPED_PARAM_UINT, ui } }));
}
