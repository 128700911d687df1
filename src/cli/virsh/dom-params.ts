// Typed parameters as virsh's domain commands read and print them:
// virTypedParameterAssignFromStr's parsing (a value in the type the daemon
// reported), and the "%-15s: %s" lines the tuning commands print.

import type { RemoteTypedParam, RemoteTypedParamValue } from "../../gen/remote_protocol.js";
import { VirTypedParameterType } from "../../gen/libvirt_common.js";
import { clientError } from "./dom-opts.js";
import { typedParamValue } from "./util.js";

const WHOLE = /^[ \t\n\v\f\r]*[+-]?\d+$/;

/** virTypedParameterAssignFromStr: `text` as a value of `type`; libvirt's words where it is not one. */
export function paramFromString(field: string, type: RemoteTypedParamValue["type"], text: string, lines: readonly string[] = []): RemoteTypedParam {
  const bad = (what: string): never => {
    throw clientError(`invalid argument: Invalid value for field '${field}': expected ${what}`, lines);
  };
  const whole = (): bigint => (WHOLE.test(text) ? BigInt(text.trim()) : bad(WORDS[type]!));
  switch (type) {
    case VirTypedParameterType.VIR_TYPED_PARAM_INT: {
      const n = whole();
      return n >= -(2n ** 31n) && n < 2n ** 31n ? { field, value: { type, i: Number(n) } } : bad("int");
    }
    case VirTypedParameterType.VIR_TYPED_PARAM_UINT: {
      const n = whole();
      return n >= 0n && n < 2n ** 32n ? { field, value: { type, ui: Number(n) } } : bad("unsigned int");
    }
    case VirTypedParameterType.VIR_TYPED_PARAM_LLONG: {
      const n = whole();
      return n >= -(2n ** 63n) && n < 2n ** 63n ? { field, value: { type, l: n } } : bad("long long");
    }
    case VirTypedParameterType.VIR_TYPED_PARAM_ULLONG: {
      const n = whole();
      // strtoull wraps a negative number, as virStrToLong_ull allows.
      if (n < -(2n ** 64n) + 1n || n >= 2n ** 64n) bad("unsigned long long");
      return { field, value: { type, ul: n < 0n ? 2n ** 64n + n : n } };
    }
    case VirTypedParameterType.VIR_TYPED_PARAM_DOUBLE: {
      const d = Number(text);
      return text.trim() !== "" && !Number.isNaN(d) ? { field, value: { type, d } } : bad("double");
    }
    case VirTypedParameterType.VIR_TYPED_PARAM_BOOLEAN: {
      const lower = text.toLowerCase();
      if (lower === "true" || text === "1") return { field, value: { type, b: 1 } };
      if (lower === "false" || text === "0") return { field, value: { type, b: 0 } };
      throw clientError(`invalid argument: Invalid boolean value for field '${field}'`, lines);
    }
    case VirTypedParameterType.VIR_TYPED_PARAM_STRING:
      return { field, value: { type, s: text } };
  }
}

const WORDS: Record<number, string> = { 1: "int", 2: "unsigned int", 3: "long long", 4: "unsigned long long", 5: "double" };

/** The line the tuning commands print for a parameter: its name padded to 15, then its value. */
export function paramLine(field: string, value: string): string {
  return `${field.padEnd(15)}: ${value}\n`;
}

/** paramLine with vshGetTypedParamValue's text. */
export function typedParamLine(p: RemoteTypedParam): string {
  return paramLine(p.field, typedParamValue(p.value));
}
