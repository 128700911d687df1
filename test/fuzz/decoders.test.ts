/**
 * Property tests over every generated decoder: arbitrary and mutated input
 * decodes or fails with an XdrError and nothing else; what it accepts
 * re-encodes to the same bytes (unless lossy); random valid values
 * round-trip exactly. Fixed seeds: a failure reproduces as is.
 */
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { runValue, type Outcome } from "../../fuzz/check.js";
import { valueCorpus, type ValueEntry } from "../../fuzz/corpus.js";
import { mutateAll } from "../../fuzz/mutate.js";
import { fuzzTypes, haveTree, loadModel } from "../../fuzz/targets.js";
import { decode, encode } from "../../src/xdr/index.js";
import { firstDifference } from "../oracle/equal.js";
import { randomValue, seededRng } from "../oracle/values.js";
import { Tally, hex, mutationsArb, seedOf, wordsArb } from "./arbitraries.js";

function mustBeAllowed(o: Outcome, input: Uint8Array): void {
  if (o.kind === "finding") throw new Error(`${o.problem}; input ${hex(input)}`, { cause: o.error });
}

describe.skipIf(!haveTree())("every generated decoder under fast-check", () => {
  const model = loadModel();
  const types = fuzzTypes(model);
  const corpus = new Map<string, ValueEntry[]>();
  for (const e of valueCorpus(model, types, { seed: "fc", shapes: ["empty", "full", "random"] })) {
    const list = corpus.get(e.type.name) ?? [];
    list.push(e);
    corpus.set(e.type.name, list);
  }
  const tallies: Record<string, Tally> = { "arbitrary bytes": new Tally(), mutated: new Tally(), "round trips": new Tally() };
  afterAll(() => {
    const parts = Object.entries(tallies).map(([k, t]) => `${k} ${t.runs}`);
    const failures = Object.values(tallies).reduce((n, t) => n + t.failures.length, 0);
    console.log(`fuzz decoders: ${types.length} types; runs: ${parts.join(", ")}; failures ${failures}`);
  });

  it("arbitrary bytes and edge-value words: a value or an XdrError", () => {
    const tally = tallies["arbitrary bytes"]!;
    for (const t of types) {
      const p = fc.property(fc.oneof(fc.uint8Array({ maxLength: 64 }), wordsArb), (b) => mustBeAllowed(runValue(t.codec, b), b));
      tally.add(t.name, fc.check(p, { seed: seedOf(t.name, 1), numRuns: 25 }));
    }
    expect(tally.failures).toEqual([]);
  });

  it("mutated valid encodings: a value (that re-encodes) or an XdrError", () => {
    const tally = tallies["mutated"]!;
    for (const t of types) {
      const mine = corpus.get(t.name)!;
      const p = fc.property(fc.nat(), mutationsArb, (i, ms) => {
        const e = mine[i % mine.length]!;
        const input = mutateAll(e.bytes, ms, { marks: e.marks, others: mine });
        mustBeAllowed(runValue(t.codec, input), input);
      });
      tally.add(t.name, fc.check(p, { seed: seedOf(t.name, 2), numRuns: 150 }));
    }
    expect(tally.failures).toEqual([]);
  });

  it("random valid values round-trip exactly (Object.is on numbers) and re-encode to the same bytes", () => {
    const tally = tallies["round trips"]!;
    const caps = { bytes: 300, elements: 4, scalarElements: 40 };
    for (const t of types) {
      const p = fc.property(fc.integer(), fc.constantFrom("empty" as const, "full" as const, "random" as const), (seed, shape) => {
        const v = randomValue(model, t, seededRng(seed), { shape, caps, budget: 16384 });
        const bytes = encode(t.codec, v);
        const back = decode(t.codec, bytes);
        const diff = firstDifference(v, back);
        if (diff !== null) throw new Error(`round trip differs at ${diff}; bytes ${hex(bytes)}`);
        const again = encode(t.codec, back);
        if (hex(again) !== hex(bytes)) throw new Error(`re-encoding differs: ${hex(bytes)} vs ${hex(again)}`);
      });
      tally.add(t.name, fc.check(p, { seed: seedOf(t.name, 3), numRuns: 20 }));
    }
    expect(tally.failures).toEqual([]);
  });
});
