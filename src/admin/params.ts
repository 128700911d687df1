import type { AdminTypedParam } from "../gen/admin_protocol.js";
import { typedParamValue, type TypedScalar } from "../typed-param.js";
import { VirTypedParameterType } from "../gen/libvirt_common.js";

export type { TypedScalar as TypedParamScalar };

/** Typed parameters as a plain object, in the daemon's order (a repeated field keeps its last value). */
export function typedParamsObject(params: readonly AdminTypedParam[]): Record<string, TypedScalar> {
  return Object.fromEntries(params.map((p) => [p.field, typedParamValue(p.value)]));
}

/**
 * Unsigned-int parameters, the only type the admin setters take
 * (threadpool sizes, client limits), in the order given.
 */
export function uintParams(values: Record<string, number>): AdminTypedParam[] {
  return Object.entries(values).map(([field, ui]) => ({ field, value: { type: VirTypedParameterType.VIR_TYPED_PARAM_UINT, ui } }));
}
