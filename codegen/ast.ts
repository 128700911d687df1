import type { Loc } from "./errors.js";

/** A number written in the source, or the name of a constant. */
export type Value =
  | { kind: "number"; value: number; radix: 8 | 10 | 16; loc: Loc }
  | { kind: "name"; name: string; loc: Loc };

export type PrimitiveName =
  | "int"
  | "unsigned int"
  | "hyper"
  | "unsigned hyper"
  | "float"
  | "double"
  | "bool"
  | "char"
  | "unsigned char"
  | "short"
  | "unsigned short";

export type TypeSpec =
  | { kind: "primitive"; name: PrimitiveName }
  | { kind: "opaque" }
  | { kind: "string" }
  | { kind: "ref"; name: string; loc: Loc };

/** How a declaration repeats its type. */
export type Shape =
  | { kind: "scalar" }
  | { kind: "optional" }
  | { kind: "fixed"; size: Value }
  | { kind: "variable"; max: Value | null };

export interface Declaration {
  name: string;
  type: TypeSpec;
  shape: Shape;
  loc: Loc;
  /** Comment on the declaration's own line, e.g. `insert@1` or a C cast. */
  note: string | null;
}

/** `void` as a union arm. */
export interface VoidArm {
  kind: "void";
  loc: Loc;
}

export interface EnumMember {
  name: string;
  value: Value;
  loc: Loc;
  /** The `/** ... *\/` block right before the member. */
  doc: string | null;
  note: string | null;
}

export interface UnionCase {
  values: Value[];
  arm: Declaration | VoidArm;
}

export type Definition =
  | { kind: "const"; name: string; value: Value; loc: Loc }
  | { kind: "enum"; name: string; members: EnumMember[]; loc: Loc }
  | { kind: "struct"; name: string; fields: Declaration[]; loc: Loc; note: string | null }
  | {
      kind: "union";
      name: string;
      discriminant: Declaration;
      cases: UnionCase[];
      /** Absent: no default arm, an unknown discriminant is an error. */
      default: Declaration | VoidArm | null;
      loc: Loc;
    }
  | { kind: "typedef"; name: string; decl: Declaration; loc: Loc };

export interface XFile {
  file: string;
  definitions: Definition[];
}
