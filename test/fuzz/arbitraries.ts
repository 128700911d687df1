/**
 * fast-check arbitraries for the mutation operators of fuzz/mutate.ts, and
 * a tally so each test file prints one summary line.
 */
import fc from "fast-check";
import type { Mutation } from "../../fuzz/mutate.js";
import { EDGE_WORDS } from "../../fuzz/record.js";

const pos = fc.nat();

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant("mark" as const), index: pos, choice: pos }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("word" as const), index: pos, value: fc.constantFrom(...EDGE_WORDS) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("flip" as const), at: pos, bit: fc.nat(7) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("byte" as const), at: pos, value: fc.nat(255) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("insert" as const), at: pos, bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("delete" as const), at: pos, len: fc.integer({ min: 1, max: 12 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("grow" as const), index: pos, choice: pos }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("truncate" as const), at: pos }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("dup" as const), from: pos, len: fc.integer({ min: 1, max: 32 }), to: pos }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("splice" as const), other: pos, at: pos, from: pos }) },
);

export const mutationsArb = fc.array(mutationArb, { minLength: 1, maxLength: 4 });

/** Bytes made of words likely to pass a first check: edge values and small numbers. */
export const wordsArb = fc
  .array(fc.oneof(fc.constantFrom(...EDGE_WORDS), fc.nat(16)), { maxLength: 32 })
  .map((ws) => {
    const out = new Uint8Array(ws.length * 4);
    const view = new DataView(out.buffer);
    ws.forEach((w, i) => view.setUint32(i * 4, w >>> 0));
    return out;
  });

export const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

/** A stable per-name seed, so each type gets its own reproducible run. */
export function seedOf(name: string, base = 0x5eed): number {
  let h = 0x811c9dc5 ^ base;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h | 0;
}

/** Runs and failures over many fc.check calls. */
export class Tally {
  runs = 0;
  readonly failures: string[] = [];

  add<T>(what: string, details: fc.RunDetails<T>): void {
    this.runs += details.numRuns;
    if (!details.failed) return;
    const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    this.failures.push(`${what}: ${error}\n${fc.defaultReportMessage(details) ?? ""}`);
  }

  line(name: string, extra = ""): string {
    return `${name}: ${this.runs} runs, failures ${this.failures.length}${extra}`;
  }
}
