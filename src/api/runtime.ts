// What the generated friendly classes import: one module, so the generator names one path.
export { ConnectionCore, Handle, flagsAnd, track } from "./core.js";
export { charsToString, fieldMap, isMac, isUuid, uuidFromString, uuidToString } from "./convert.js";
export { fromTypedParams, toTypedParams, typesFor, type ParamIn, type ParamInput, type ParamTable, type TypedParams, type TypedParamsInput } from "./typed.js";
export { typedParamStringFlag } from "./features.js";
