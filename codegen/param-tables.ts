/**
 * Typed-parameter tables from libvirt's public headers: each field macro
 * (`# define VIR_DOMAIN_BLOCK_COPY_BANDWIDTH "bandwidth"`) with the type its
 * doc comment gives ("as VIR_TYPED_PARAM_ULLONG", "with a type of ullong",
 * "as an unsigned int") and whether it may be given more than once
 * ("params multiple field", "may be specified multiple times").
 *
 * A setter whose procedure has no getter to read types from takes its
 * fields' types from one of these families, as libvirt-python's hint
 * tables (libvirt-override.c) do by hand.
 */
import { XGenError, locAt } from "./errors.js";

export type ParamType = "int" | "uint" | "llong" | "ullong" | "double" | "boolean" | "string";

export interface ParamMacro {
  macro: string;
  field: string;
  type: ParamType | null;
  repeat: boolean;
}

export interface ParamFamily {
  /** The generated input type (`BlockCopyParams`) and table (`BLOCK_COPY_PARAMS`). */
  name: string;
  /** What libvirt calls the setters (for the doc comment). */
  functions: string;
  /** Macros whose name starts with one of these belong to the family. */
  prefixes: string[];
  /** Procedures (without `REMOTE_PROC_`) that take the family's fields. */
  procedures: string[];
  fields: ParamMacro[];
}

/**
 * Which macros each setter takes: libvirt's headers name the macros but not
 * always the function they are for. Every typed-parameter setter without a
 * getter must be listed here (familiesFor fails otherwise), so a new one in
 * a newer libvirt cannot go untyped unnoticed.
 */
const FAMILIES: readonly Omit<ParamFamily, "fields">[] = [
  { name: "BlockCopyParams", functions: "virDomainBlockCopy", prefixes: ["VIR_DOMAIN_BLOCK_COPY_"], procedures: ["DOMAIN_BLOCK_COPY"] },
  {
    name: "MigrateParams",
    functions: "virDomainMigrate3, virDomainMigrateToURI3 and the migration steps",
    prefixes: ["VIR_MIGRATE_PARAM_"],
    procedures: ["BEGIN3", "PREPARE3", "PREPARE_TUNNEL3", "PERFORM3", "FINISH3", "CONFIRM3"].map((s) => `DOMAIN_MIGRATE_${s}_PARAMS`),
  },
  { name: "SaveParams", functions: "virDomainSaveParams, virDomainRestoreParams", prefixes: ["VIR_DOMAIN_SAVE_PARAM_"], procedures: ["DOMAIN_SAVE_PARAMS", "DOMAIN_RESTORE_PARAMS"] },
  { name: "IOThreadParams", functions: "virDomainSetIOThreadParams", prefixes: ["VIR_DOMAIN_IOTHREAD_"], procedures: ["DOMAIN_SET_IOTHREAD_PARAMS"] },
  { name: "IdentityParams", functions: "virConnectSetIdentity", prefixes: ["VIR_CONNECT_IDENTITY_"], procedures: ["CONNECT_SET_IDENTITY"] },
  {
    name: "LaunchSecurityStateParams",
    functions: "virDomainSetLaunchSecurityState",
    prefixes: ["VIR_DOMAIN_LAUNCH_SECURITY_SEV_SECRET"],
    procedures: ["DOMAIN_SET_LAUNCH_SECURITY_STATE"],
  },
  { name: "ThrottleGroupParams", functions: "virDomainSetThrottleGroup", prefixes: ["VIR_DOMAIN_BLOCK_IOTUNE_"], procedures: ["DOMAIN_SET_THROTTLE_GROUP"] },
];

/**
 * Fields whose doc comment states no type, with the type libvirt-python's
 * tables and the drivers' virTypedParamsValidate calls give them. A field
 * of a family missing from the headers' text and from here fails the
 * generator.
 */
const UNSTATED: Readonly<Record<string, ParamType>> = {
  VIR_MIGRATE_PARAM_LISTEN_ADDRESS: "string",
  VIR_MIGRATE_PARAM_MIGRATE_DISKS: "string",
  VIR_MIGRATE_PARAM_MIGRATE_DISKS_DETECT_ZEROES: "string",
  VIR_MIGRATE_PARAM_COMPRESSION: "string",
  VIR_MIGRATE_PARAM_BANDWIDTH_AVAIL_SWITCHOVER: "ullong",
  VIR_DOMAIN_SAVE_PARAM_FILE: "string",
  VIR_DOMAIN_SAVE_PARAM_DXML: "string",
};

const TYPE_WORDS: readonly [RegExp, ParamType][] = [
  [/^unsigned long long$|^ullong$/, "ullong"],
  [/^long long$|^llong$/, "llong"],
  [/^unsigned int$|^uint$/, "uint"],
  [/^int$/, "int"],
  [/^double$/, "double"],
  [/^boolean$/, "boolean"],
  [/^string$/, "string"],
];

/** The type a macro's doc comment states, if it states one. */
export function statedType(doc: string): ParamType | null {
  const named = /VIR_TYPED_PARAM_(INT|UINT|LLONG|ULLONG|DOUBLE|BOOLEAN|STRING)\b/.exec(doc);
  if (named !== null) return named[1]!.toLowerCase() as ParamType;
  const phrase = /\b(?:as|type of)\s+(?:an?\s+)?(unsigned long long|unsigned int|long long|ullong|llong|uint|int|double|boolean|string)\b/i.exec(doc);
  if (phrase === null) return null;
  const word = phrase[1]!.toLowerCase();
  return TYPE_WORDS.find(([re]) => re.test(word))?.[1] ?? null;
}

/** Whether a macro's doc comment says the field may be given several times. */
export function repeatable(doc: string): boolean {
  return /\bmultiple field\b|\b(?:specified|given|used|set) multiple times\b/i.test(doc);
}

/** Every string macro of a header that has a doc comment right above it. */
export function parseParamMacros(text: string): ParamMacro[] {
  const out: ParamMacro[] = [];
  const re = /\/\*\*?((?:(?!\*\/)[\s\S])*)\*\/\s*#\s*define\s+(VIR_\w+)\s+"([^"]*)"/g;
  for (const m of text.matchAll(re)) {
    const doc = m[1]!.replace(/\n\s*\*\s?/g, " ").replace(/\s+/g, " ");
    out.push({ macro: m[2]!, field: m[3]!, type: statedType(doc), repeat: repeatable(doc) });
  }
  return out;
}

/** The families with their fields, from the headers' text; fails on a field of unknown type. */
export function paramFamilies(headers: readonly { path: string; text: string }[]): ParamFamily[] {
  const macros = headers.filter((h) => h.path.startsWith("include/")).flatMap((h) => parseParamMacros(h.text).map((m) => ({ m, h })));
  return FAMILIES.map((f) => {
    const fields = macros
      .filter(({ m }) => f.prefixes.some((p) => m.macro.startsWith(p)))
      .map(({ m, h }) => {
        const type = m.type ?? UNSTATED[m.macro] ?? null;
        if (type === null) throw new XGenError(locAt(h.text, h.text.indexOf(m.macro), h.path), `param-tables: no type for ${m.macro} ("${m.field}") of ${f.name}`);
        return { ...m, type };
      });
    return { ...f, fields };
  });
}

/** The family a procedure (without `REMOTE_PROC_`) takes, if any. */
export function familyOf(families: readonly ParamFamily[], procedure: string): ParamFamily | null {
  return families.find((f) => f.procedures.includes(procedure)) ?? null;
}

/**
 * Getters to which libvirt's C API adds VIR_TYPED_PARAM_STRING_OKAY when the
 * driver supports VIR_DRV_FEATURE_TYPED_PARAM_STRING (src/libvirt-domain.c,
 * src/libvirt-host.c); the daemons reject the flag elsewhere.
 */
export const STRING_OKAY_GETTERS: ReadonlySet<string> = new Set([
  "DOMAIN_GET_SCHEDULER_PARAMETERS_FLAGS",
  "DOMAIN_GET_MEMORY_PARAMETERS",
  "DOMAIN_GET_NUMA_PARAMETERS",
  "DOMAIN_GET_BLKIO_PARAMETERS",
  "DOMAIN_BLOCK_STATS_FLAGS",
  "DOMAIN_GET_INTERFACE_PARAMETERS",
  "DOMAIN_GET_BLOCK_IO_TUNE",
  "DOMAIN_GET_CPU_STATS",
  "NODE_GET_MEMORY_PARAMETERS",
]);
