import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readSources } from "../../codegen/sources.js";
import { compile } from "../../codegen/generate.js";
import { externValues } from "../../protocol/externs.js";
import { repoRoot } from "../../protocol/fetch.js";
import * as admin from "../../src/gen/admin_protocol.js";
import * as lxc from "../../src/gen/lxc_protocol.js";
import * as qemu from "../../src/gen/qemu_protocol.js";
import * as remote from "../../src/gen/remote_protocol.js";
import * as virnet from "../../src/gen/virnetprotocol.js";
import { XDR_UNBOUNDED, XdrError, XdrWriter, decode, type Codec } from "../../src/xdr/index.js";
import { randomValue, seededRng } from "../oracle/values.js";

/** A writer that notes where every count and length word goes, and its declared <max>. */
class LengthWords extends XdrWriter {
  readonly words: { at: number; max: number }[] = [];
  override count(n: number, max: number): void {
    this.words.push({ at: this.pos, max });
    super.count(n, max);
  }
  override string(v: string, max: number): void {
    this.words.push({ at: this.pos, max });
    super.string(v, max);
  }
  override opaque(v: Uint8Array, max: number): void {
    this.words.push({ at: this.pos, max });
    super.opaque(v, max);
  }
}

const root = repoRoot();
const { pinned } = JSON.parse(readFileSync(join(root, "protocol/libvirt.json"), "utf8")) as { pinned: string };
const tree = join(root, "protocol/upstream", pinned);
const codecs: Record<string, Codec<unknown>> = { ...virnet.codecs, ...remote.codecs, ...qemu.codecs, ...lxc.codecs, ...admin.codecs };

describe.skipIf(!existsSync(tree))("allocation before validation, in every generated decoder", () => {
  it("a count or length of its <max>, or of 0x7fffffd0, with no payload after it fails before allocating for it", () => {
    const model = compile(readSources(tree), externValues());
    let attempts = 0;
    let worst = 0;
    let fields = 0;
    for (const m of model.modules) {
      for (const t of [...m.types]) {
        const c = codecs[t.name];
        if (c === undefined) continue;
        for (const shape of ["empty", "random"] as const) {
          const w = new LengthWords();
          c.encode(w, randomValue(model, { module: m.name, name: t.name }, seededRng(`alloc:${t.name}:${shape}`), { shape, caps: { bytes: 32, elements: 2, scalarElements: 4 } }));
          const bytes = w.bytes.slice();
          fields += w.words.length;
          for (const { at, max } of w.words) {
            for (const count of new Set([max, 0x7fffffd0, XDR_UNBOUNDED])) {
              const input = new Uint8Array(at + 4);
              input.set(bytes.subarray(0, at));
              new DataView(input.buffer).setUint32(at, count);
              const before = process.memoryUsage();
              let threw: unknown = null;
              try {
                decode(c, input);
              } catch (e) {
                threw = e;
              }
              const after = process.memoryUsage();
              const grown = Math.max(after.heapUsed - before.heapUsed, after.arrayBuffers - before.arrayBuffers);
              worst = Math.max(worst, grown);
              attempts++;
              expect(threw, `${t.name}: length word at ${at} = ${count}`).toBeInstanceOf(XdrError);
            }
          }
        }
      }
    }
    // What a decoder may allocate is what the bytes before the bad word paid for: a few KiB.
    expect(worst).toBeLessThan(1 << 20);
    console.log(`allocation: ${fields} length words in ${attempts} hostile inputs; the most any decode grew the heap was ${(worst / 1024).toFixed(1)} KiB`);
  });
});
