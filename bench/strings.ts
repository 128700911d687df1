// Micro-benchmark behind the README's string figures: the runtime's
// XdrReader.string / XdrWriter.string against the string primitives Node
// offers, on the strings of the graphics event.
//
//   npm run build && node dist/bench/strings.js

import { XdrReader, XdrWriter } from "../src/xdr/index.js";
import { graphicsMsg } from "./values.js";
import { time, type TimingOptions } from "./timing.js";

const MAX = 4194304;
const opts: TimingOptions = { warmupMs: 100, roundMs: 60, rounds: 5 };

// Undocumented but long-standing Buffer methods; they accept any Uint8Array.
type Slice = (this: Uint8Array, start: number, end: number) => string;
type Write = (this: Uint8Array, s: string, offset: number) => number;
const proto = Buffer.prototype as unknown as { utf8Slice: Slice; latin1Slice: Slice; utf8Write: Write };
const utf8Slice = proto.utf8Slice;
const latin1Slice = proto.latin1Slice;
const utf8Write = proto.utf8Write;
const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
const encoder = new TextEncoder();

const g = graphicsMsg();
const strings = [g.dom.name, g.local.node, g.subject[0]!.type, g.subject[0]!.name];

// Each string encoded once, XDR-framed, to decode from.
const w = new XdrWriter();
const spans = strings.map((s) => {
  const at = w.pos;
  w.string(s, MAX);
  return { at, start: at + 4, end: at + 4 + encoder.encode(s).length };
});
const bytes = w.bytes.slice();
const reader = new XdrReader(bytes);
const out = new Uint8Array(4096);
const outWriter = new XdrWriter(4096);

let sink: unknown;
type Case = (i: number) => () => void;
const decodeCases: [string, Case][] = [
  ["XdrReader.string (runtime, incl. length+padding)", (i) => { const at = spans[i]!.at; return () => { reader.pos = at; sink = reader.string(MAX); }; }],
  ["TextDecoder.decode(subarray)", (i) => { const { start, end } = spans[i]!; return () => { sink = decoder.decode(bytes.subarray(start, end)); }; }],
  ["Buffer.prototype.utf8Slice.call(u8)", (i) => { const { start, end } = spans[i]!; return () => { sink = utf8Slice.call(bytes, start, end); }; }],
  ["Buffer.prototype.latin1Slice (ASCII only)", (i) => { const { start, end } = spans[i]!; return () => { sink = latin1Slice.call(bytes, start, end); }; }],
];
const encodeCases: [string, Case][] = [
  ["XdrWriter.string (runtime, incl. length+padding)", (i) => { const s = strings[i]!; return () => { outWriter.reset(); outWriter.string(s, MAX); }; }],
  ["TextEncoder.encodeInto(subarray)", (i) => { const s = strings[i]!; return () => { sink = encoder.encodeInto(s, out.subarray(4)).written; }; }],
  ["Buffer.prototype.utf8Write.call(u8)", (i) => { const s = strings[i]!; return () => { sink = utf8Write.call(out, s, 4); }; }],
];

console.log(`ns per string; columns: ${strings.map((s) => `${encoder.encode(s).length} B`).join(", ")} (strings of the graphics event)`);
for (const [title, cases] of [["decode", decodeCases], ["encode", encodeCases]] as const) {
  console.log(`\n${title}:`);
  for (const [name, make] of cases) {
    const cols = strings.map((_, i) => time(make(i), opts).nsPerOp.toFixed(0).padStart(5));
    console.log(`  ${name.padEnd(50)}${cols.join(" ")}`);
  }
}
if (sink === Symbol.for("never")) console.log(sink);
