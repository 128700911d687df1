import { createHash } from "node:crypto";
import { emit } from "./emit.js";
import type { Model } from "./model.js";
import { parse } from "./parser.js";
import { moduleName, resolve, type Externs } from "./resolve.js";

export interface SourceFile {
  /** The path shown in messages and headers (relative to the libvirt tree). */
  path: string;
  text: string;
}

export interface GenerateOptions {
  externs: Externs;
  /** Module specifier the generated files import the XDR runtime from. */
  runtime: string;
  /** Names the libvirt version a file came from, if known (by its sha256). */
  versionOf?: (sha256: string) => string | undefined;
}

/** The whole pipeline, pure: sources in, file name -> TypeScript out. */
export function generate(files: readonly SourceFile[], options: GenerateOptions): Map<string, string> {
  return emit(compile(files, options.externs), {
    runtime: options.runtime,
    describeSource: (m) => {
      const f = files.find((s) => moduleName(s.path) === m.name)!;
      const sha = sha256(f.text);
      const version = options.versionOf?.(sha);
      return `${f.path} (${version === undefined ? "" : `libvirt ${version}, `}sha256 ${sha})`;
    },
  });
}

/** Parses and resolves without printing: the model, for tools and tests. */
export function compile(files: readonly SourceFile[], externs: Externs): Model {
  return resolve(files.map((f) => parse(f.text, f.path)), externs);
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
