import type { EnumDef, StructDef, Sym, TypeDef, UnionDef, Wire } from "./model.js";

/**
 * The smallest encoding of a value of each wire type: what a count must be
 * multiplied by before a decoder may believe the bytes left can hold it.
 */
export class MinSizes {
  private readonly known = new Map<string, number>();

  constructor(private readonly lookup: (s: Sym) => TypeDef | EnumDef) {}

  of(w: Wire): number {
    switch (w.k) {
      case "hyper":
      case "uhyper":
      case "double":
        return 8;
      case "fixedOpaque":
        return (w.size + 3) & ~3;
      case "fixedArray":
        return w.size * this.of(w.of);
      case "struct":
      case "union": {
        const key = `${w.ref.module}.${w.ref.name}`;
        const known = this.known.get(key);
        if (known !== undefined) return known;
        // A type can only contain itself through an optional or an array, which cost 4 anyway.
        this.known.set(key, 4);
        const def = this.lookup(w.ref) as StructDef | UnionDef;
        let size: number;
        if (def.kind === "struct") {
          size = def.fields.reduce((sum, f) => sum + this.of(f.wire), 0);
        } else {
          const arms = def.arms.map((a) => (a.field === null ? 0 : this.of(a.field.wire)));
          if (def.default !== undefined) arms.push(def.default === null ? 0 : this.of(def.default.wire));
          size = 4 + Math.min(...arms);
        }
        this.known.set(key, size);
        return size;
      }
      default:
        return 4;
    }
  }
}
