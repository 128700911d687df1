/**
 * A data description of each generated type, for generic tools that need
 * a type's shape at run time (JSON conversion, pretty-printing, fuzzing).
 * The codecs themselves never read it.
 */
export type WireSchema =
  | "int"
  | "uint"
  | "hyper"
  | "uhyper"
  | "float"
  | "double"
  | "bool"
  | { string: number }
  | { opaque: number }
  | { fixedOpaque: number }
  | { ranged: readonly [number, number] }
  | { array: WireSchema; max: number }
  | { fixedArray: WireSchema; size: number }
  | { optional: WireSchema }
  /** Another type, by its `.x` name. */
  | { ref: string };

export type Field = readonly [name: string, wire: WireSchema];

export type TypeSchema =
  | { struct: readonly Field[] }
  | {
      union: {
        discriminant: Field;
        arms: readonly (readonly [cases: readonly number[], field: Field | null])[];
        /** Absent: no default arm. null: a void default arm. */
        default?: Field | null;
      };
    }
  | { enum: Readonly<Record<string, number>> }
  | { typedef: WireSchema };

export type SchemaRegistry = Readonly<Record<string, TypeSchema>>;
