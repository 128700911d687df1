import { createHash } from "node:crypto";
import { parseCEnums, type CEnum } from "./cenums.js";
import { emitEvents } from "./emit-events.js";
import { eventFamilies } from "./events.js";
import { parseVirshSources } from "./virsh.js";
import { emit, emitIndex } from "./emit.js";
import { emitHeader, headerModuleName } from "./emit-headers.js";
import type { Model } from "./model.js";
import { parse } from "./parser.js";
import { moduleName, resolve, type Externs } from "./resolve.js";

export interface SourceFile {
  /** The path shown in messages and headers (relative to the libvirt tree). */
  path: string;
  text: string;
}

export interface GenerateOptions {
  /** libvirt's public headers, in include order, for their enums (error codes, event details). */
  headers?: readonly SourceFile[];
  /** virsh's event sources (tools/virsh-*.c), for the words virsh prints. */
  virsh?: readonly SourceFile[];
  externs: Externs;
  /** Module specifier the generated files import the XDR runtime from. */
  runtime: string;
  /** Names the libvirt version a file came from, if known (by its sha256). */
  versionOf?: (sha256: string) => string | undefined;
}

/** The whole pipeline, pure: sources in, file name -> TypeScript out. */
export function generate(files: readonly SourceFile[], options: GenerateOptions): Map<string, string> {
  const describe = (f: SourceFile): string => {
    const sha = sha256(f.text);
    const version = options.versionOf?.(sha);
    return `${f.path} (${version === undefined ? "" : `libvirt ${version}, `}sha256 ${sha})`;
  };
  const model = compile(files, options.externs);
  const out = emit(model, {
    runtime: options.runtime,
    describeSource: (m) => describe(files.find((s) => moduleName(s.path) === m.name)!),
  });
  const known = new Map<string, bigint>();
  const index = model.modules.map((m) => m.name);
  const allEnums = new Map<string, CEnum>();
  for (const h of options.headers ?? []) {
    const enums = parseCEnums(h.text, h.path, known);
    for (const e of enums) allEnums.set(e.name, e);
    if (enums.length === 0) continue;
    const name = headerModuleName(h.path);
    out.set(`${name}.ts`, emitHeader(enums, describe(h)));
    index.push(name);
  }
  const virshFiles = options.virsh ?? [];
  const virsh = parseVirshSources(virshFiles);
  const families = eventFamilies(model, allEnums, virsh.eventNames);
  if (families.length > 0) {
    const sources = ["the remote program and header enums", ...virshFiles.map((f) => describe(f))].join(", ");
    out.set("events.ts", emitEvents(families, virsh, sources));
    index.push("events");
  }
  out.set("index.ts", emitIndex(index));
  return out;
}

/** Parses and resolves without printing: the model, for tools and tests. */
export function compile(files: readonly SourceFile[], externs: Externs): Model {
  return resolve(files.map((f) => parse(f.text, f.path)), externs);
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
