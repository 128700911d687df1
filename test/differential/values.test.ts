/**
 * The value generator's own promises (test/oracle/values.ts), checked
 * without C: determinism, exact UTF-8 lengths, caps, union choices.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { compile } from "../../codegen/generate.js";
import type { UnionDef } from "../../codegen/model.js";
import { externValues } from "../../protocol/externs.js";
import { firstDifference } from "../oracle/equal.js";
import { Coverage, DEFAULT_CAPS, randomValue, randomWireValue, seededRng, unionChoices } from "../oracle/values.js";

const FEATURES = fileURLToPath(new URL("./fixtures/features.x", import.meta.url));
const model = compile([{ path: "features.x", text: readFileSync(FEATURES, "utf8") }], externValues());
const sym = (name: string) => ({ module: "features", name });

describe("seededRng", () => {
  it("repeats for a seed and differs across seeds", () => {
    const a = seededRng("x");
    const b = seededRng("x");
    const c = seededRng("y");
    const sa = Array.from({ length: 8 }, () => a.u32());
    expect(Array.from({ length: 8 }, () => b.u32())).toEqual(sa);
    expect(Array.from({ length: 8 }, () => c.u32())).not.toEqual(sa);
  });

  it("keeps below() and between() in range", () => {
    const r = seededRng(1);
    for (let i = 0; i < 2000; i++) {
      const n = r.below(7);
      expect(n >= 0 && n < 7).toBe(true);
      const m = r.between(-3, 3);
      expect(m >= -3 && m <= 3).toBe(true);
    }
  });
});

describe("randomValue", () => {
  it("is deterministic for a seed", () => {
    for (const name of ["feat_containers", "feat_scalars", "feat_by_int"]) {
      const a = randomValue(model, sym(name), seededRng(name), { shape: "random" });
      const b = randomValue(model, sym(name), seededRng(name), { shape: "random" });
      expect(firstDifference(a, b)).toBeNull();
    }
  });

  it("makes strings of exactly n UTF-8 bytes, without U+0000 or lone surrogates", () => {
    const enc = new TextEncoder();
    const rng = seededRng("strings");
    for (const max of [1, 2, 3, 5, 64, 5000, 100_000]) {
      for (let k = 0; k < 5; k++) {
        const s = randomWireValue(model, { k: "string", max }, rng, { shape: "full" }) as string;
        expect(enc.encode(s).length).toBe(Math.min(max, DEFAULT_CAPS.bytes));
        expect(s.includes("\u0000")).toBe(false);
        // Lone surrogates would not survive UTF-8.
        expect(new TextDecoder().decode(enc.encode(s))).toBe(s);
      }
    }
    // Non-ASCII does show up.
    const s = randomWireValue(model, { k: "string", max: 4000 }, rng, { shape: "full" }) as string;
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the range starts at NUL on purpose (any non-ASCII)
    expect(/[^\u0000-\u007f]/.test(s)).toBe(true);
  });

  it("honours caps and the empty shape", () => {
    const rng = seededRng("caps");
    const caps = { bytes: 10, elements: 3, scalarElements: 7 };
    const full = randomValue(model, sym("feat_containers"), rng, { shape: "full", caps }) as Record<string, unknown>;
    expect((full["blob"] as Uint8Array).length).toBe(10);
    expect((full["ints"] as number[]).length).toBe(5); // <FEAT_MAX>, under the cap
    expect((full["names"] as string[]).length).toBe(3);
    expect(full["maybe"]).not.toBeNull();
    const empty = randomValue(model, sym("feat_containers"), rng, { shape: "empty" }) as Record<string, unknown>;
    expect(empty["names"]).toEqual([]);
    expect(empty["maybe"]).toBeNull();
    expect((empty["fixed"] as Uint8Array).length).toBe(5);
  });

  it("walks every union choice, default arms included, in turn", () => {
    const u = model.modules[0]!.types.find((t) => t.name === "feat_by_int") as UnionDef;
    const choices = unionChoices(model, u);
    expect(choices.map((c) => c.discriminant)).toEqual([1, -3, 2, 0x7fffffff]);
    expect(choices[3]!.arm).toBe(-1);
    const cover = new Coverage();
    const rng = seededRng("arms");
    const seen = Array.from({ length: choices.length }, () => randomValue(model, sym("feat_by_int"), rng, { cover }) as { kind: number });
    expect(seen.map((v) => v.kind)).toEqual([1, -3, 2, 0x7fffffff]);
    expect(cover.reached.get("features.feat_by_int")).toEqual(new Set([0, 1, 2, 3]));
  });

  it("stops optional recursion at maxDepth", () => {
    const v = randomValue(model, sym("feat_node"), seededRng("deep"), { shape: "full", maxDepth: 3 });
    let depth = 0;
    for (let n = v as { next: unknown } | null; n !== null; n = n.next as { next: unknown } | null) depth++;
    expect(depth).toBe(4);
  });
});
