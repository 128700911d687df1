import type { EnumDef, Sym, TypeDef, Wire } from "./model.js";
import { rules, type SizeContext } from "./wire.js";

/**
 * The smallest encoding of a value of each wire type: what a count must be
 * multiplied by before a decoder may believe the bytes left can hold it.
 * Per kind the answer is in WIRE (wire.ts); this adds named types, memoized.
 */
export class MinSizes implements SizeContext {
  private readonly known = new Map<string, number>();

  constructor(private readonly lookup: (s: Sym) => TypeDef | EnumDef) {}

  of(w: Wire): number {
    return rules(w).minSize(w, this);
  }

  ofRef(s: Sym): number {
    const key = `${s.module}.${s.name}`;
    const known = this.known.get(key);
    if (known !== undefined) return known;
    // A type can only contain itself through an optional or an array, which cost 4 anyway.
    this.known.set(key, 4);
    const def = this.lookup(s);
    let size: number;
    switch (def.kind) {
      case "enum":
        size = 4;
        break;
      case "typedef":
        size = this.of(def.wire);
        break;
      case "struct":
        size = def.fields.reduce((sum, f) => sum + this.of(f.wire), 0);
        break;
      case "union": {
        const arms = def.arms.map((a) => (a.field === null ? 0 : this.of(a.field.wire)));
        if (def.default !== undefined) arms.push(def.default === null ? 0 : this.of(def.default.wire));
        size = 4 + Math.min(...arms);
        break;
      }
    }
    this.known.set(key, size);
    return size;
  }
}
