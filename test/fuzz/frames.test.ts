/**
 * The frame decoder fed streams of mutated frames cut into random chunks:
 * it throws nothing but ProtocolError, only at a bad length word, and
 * emits the same frames whatever the cuts (held to a plain reading of
 * the framing rules). Every frame it emits then goes through
 * decodeInbound and the body decoder its header selects.
 */
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { referenceFraming, runFrames, runInbound, type Outcome } from "../../fuzz/check.js";
import { capturedFrames, fixLength, frameCorpus, type FrameEntry } from "../../fuzz/corpus.js";
import { mutateAll } from "../../fuzz/mutate.js";
import { fuzzTypes, haveTree, loadModel } from "../../fuzz/targets.js";
import { Tally, hex, mutationArb } from "./arbitraries.js";

function mustBeAllowed(o: Outcome, what: string, input: Uint8Array): void {
  if (o.kind === "finding") throw new Error(`${what}: ${o.problem}; input ${hex(input)}`, { cause: o.error });
}

describe.skipIf(!haveTree())("the frame decoder under fast-check", () => {
  const model = loadModel();
  const frames: FrameEntry[] = [...frameCorpus(model, fuzzTypes(model), { seed: "fc-frames" }), ...capturedFrames()];
  const tally = new Tally();
  let emitted = 0;
  afterAll(() => console.log(tally.line("fuzz frames", `; ${frames.length} seed frames, ${emitted} frames emitted and decoded`)));

  const partArb = fc.record({
    index: fc.nat(),
    mutations: fc.array(mutationArb, { maxLength: 3 }),
    // Mostly in step: a wrong length word ends the stream early.
    fix: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  });
  const streamArb = fc
    .record({ parts: fc.array(partArb, { minLength: 1, maxLength: 5 }), tail: fc.uint8Array({ maxLength: 7 }) })
    .map(({ parts, tail }) => {
      const chunks = parts.map((p) => {
        const f = frames[p.index % frames.length]!;
        const b = mutateAll(f.bytes, p.mutations, { marks: f.marks, others: frames });
        return p.fix ? fixLength(b) : b;
      });
      return Uint8Array.from(Buffer.concat([...chunks, tail]));
    });

  it("only ProtocolError, the same frames whatever the cuts, and every frame decodes or fails typed", () => {
    const p = fc.property(streamArb, fc.array(fc.nat(), { maxLength: 12 }), (stream, cuts) => {
      mustBeAllowed(runFrames(stream, cuts), `cut at [${cuts.join(", ")}]`, stream);
      mustBeAllowed(runFrames(stream, []), "whole", stream);
      // Byte by byte is the harshest split; small streams only, to keep it cheap.
      if (stream.length <= 512) {
        mustBeAllowed(runFrames(stream, Array.from({ length: stream.length }, (_, i) => i)), "byte by byte", stream);
      }
      for (const f of referenceFraming(stream).frames) {
        emitted++;
        mustBeAllowed(runInbound(f), "inbound", f);
      }
    });
    tally.add("frame streams", fc.check(p, { seed: 0xf4a3e, numRuns: 3000 }));
    expect(tally.failures).toEqual([]);
  });

  it("the header and body of every seed frame, mutated alone: typed errors only", () => {
    const p = fc.property(fc.nat(), fc.array(mutationArb, { minLength: 1, maxLength: 4 }), (i, ms) => {
      const f = frames[i % frames.length]!;
      const b = mutateAll(f.bytes, ms, { marks: f.marks, others: frames });
      const frame = b.subarray(Math.min(4, b.length));
      mustBeAllowed(runInbound(frame), "inbound", frame);
    });
    tally.add("inbound frames", fc.check(p, { seed: 0x1b0d, numRuns: 5000 }));
    expect(tally.failures).toEqual([]);
  });
});
