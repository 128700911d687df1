/**
 * The resolved model the emitter prints from: every name looked up, every
 * constant a number, every typedef chain followed down to wire shapes.
 * Definitions keep where they were written, so a problem found after
 * parsing (a name clash, a program without its constants) still points at
 * the `.x` source.
 */
import type { Loc } from "./errors.js";

export type { Loc };

/** A definition's identity: its `.x` name and the module that owns it. */
export interface Sym {
  name: string;
  module: string;
}

/** What goes on the wire, after typedefs are followed. */
export type Wire = (
  | { k: "int" }
  | { k: "uint" }
  | { k: "hyper" }
  | { k: "uhyper" }
  | { k: "float" }
  | { k: "double" }
  | { k: "bool" }
  /** char, short and their unsigned forms: 4 bytes on the wire, narrower in C. */
  | { k: "ranged"; cname: string; min: number; max: number }
  | { k: "string"; max: number }
  | { k: "opaque"; max: number }
  | { k: "fixedOpaque"; size: number }
  | { k: "array"; of: Wire; max: number }
  | { k: "fixedArray"; of: Wire; size: number }
  | { k: "optional"; of: Wire }
  | { k: "enum"; ref: Sym }
  | { k: "struct"; ref: Sym }
  | { k: "union"; ref: Sym }
) & {
  /** The typedef the declaration named, kept for readable TS types. */
  alias?: Sym;
};

/** Data libvirt keeps in comments on struct fields and struct heads. */
export interface MemberNote {
  /** `insert@N`: where the C API takes this value as an argument. */
  insert?: number;
  /** `alloc@N@type@M`: the C API allocates the value (see remote_protocol.x). */
  alloc?: string;
  /** A C cast comment such as `(const char **)`. */
  cast?: string;
}

export interface Field {
  name: string;
  loc: Loc;
  wire: Wire;
  note: MemberNote;
}

export interface EnumDef {
  kind: "enum";
  name: string;
  loc: Loc;
  members: { name: string; value: number; loc: Loc; doc: string | null; note: string | null }[];
}

export interface StructDef {
  kind: "struct";
  name: string;
  loc: Loc;
  fields: Field[];
  note: MemberNote;
}

export interface UnionArm {
  /** Case values with the label written in the `.x` (a number or a name). */
  cases: { value: number; label: string; loc: Loc }[];
  /** null: a void arm. */
  field: Field | null;
}

export interface UnionDef {
  kind: "union";
  name: string;
  loc: Loc;
  discriminant: Field;
  arms: UnionArm[];
  /** undefined: no default arm; null: a void default arm. */
  default: Field | null | undefined;
}

export interface TypedefDef {
  kind: "typedef";
  name: string;
  loc: Loc;
  wire: Wire;
}

export type TypeDef = StructDef | UnionDef | TypedefDef;

export interface ConstDef {
  name: string;
  loc: Loc;
  value: number;
  radix: 8 | 10 | 16;
}

export interface Annotations {
  generate?: string;
  priority?: string;
  acl: string[];
  aclfilter: string[];
  readstream?: number;
  writestream?: number;
  sparseflag?: string;
  /** Old-style trailing notes such as `autogen autogen` / `skipgen skipgen`. */
  note?: string;
}

export interface Procedure {
  number: number;
  name: string;
  /** The procedure enum's member. */
  loc: Loc;
  /** camelCase of the name after the program's `*_PROC_` prefix. */
  method: string;
  args: Sym | null;
  ret: Sym | null;
  /** For events: the message the server sends. */
  message: Sym | null;
  annotations: Annotations;
  /** `insert@N` notes of the args/ret structs and their fields. */
  inserts: { type: "args" | "ret"; field: string | null; at: number }[];
}

export interface Program {
  /** Short name: remote, qemu, lxc, admin, keepalive, ... */
  name: string;
  programConst: string;
  program: number;
  versionConst: string;
  version: number;
  procedureEnum: string;
  /** The procedure enum. */
  loc: Loc;
  procedures: Procedure[];
}

export interface Module {
  /** The module's name, from the `.x` file name (remote_protocol). */
  name: string;
  file: string;
  constants: ConstDef[];
  enums: EnumDef[];
  types: TypeDef[];
  programs: Program[];
  /** C constants from the externs table that this module uses. */
  externs: string[];
}

export interface Model {
  modules: Module[];
}
