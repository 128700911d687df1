/**
 * Seeds for mutation: valid encodings of random values of every type, and
 * valid whole frames (length word, header, body) of every procedure of the
 * known programs: calls, replies, error replies, events, stream data,
 * keepalive; and every frame of the sessions captured from a real libvirtd
 * in fixtures/.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { Model } from "../codegen/model.js";
import { repoRoot } from "../protocol/fetch.js";
import { frameBytes, readFixture } from "../src/recording/format.js";
import { FRAME_MAX, FRAME_MIN } from "../src/rpc/frame.js";
import { MessageStatus, MessageType, encodeMessage, type Header } from "../src/rpc/message.js";
import { XdrWriter, encode, type Codec, type ProgramInfo } from "../src/xdr/index.js";
import { randomValue, seededRng, type Caps, type Rng, type Shape } from "../test/oracle/values.js";
import { Marks, marksOf, wordsOf, type WordKind } from "./record.js";
import { errorCodec, holeCodec, programs, symOf, type FuzzType } from "./targets.js";

export interface ValueEntry {
  type: FuzzType;
  bytes: Uint8Array;
  marks: Marks;
}

export interface FrameEntry {
  /** What the frame is, for reports: `remote REPLY REMOTE_PROC_...`. */
  label: string;
  /** The whole frame, length word included. */
  bytes: Uint8Array;
  marks: Marks;
}

export interface CorpusOptions {
  seed: number | string;
  /** Shapes of value to encode per type (a shape may repeat: "random" twice gives two). */
  shapes?: readonly Shape[];
  caps?: Partial<Caps>;
  /** Rough limit on one value's encoded size. */
  budget?: number;
}

/** Small values keep executions fast; marks still aim counts at each field's real max. */
export const SMALL_CAPS: Partial<Caps> = { bytes: 64, elements: 3, scalarElements: 12 };

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

export function valueCorpus(model: Model, types: readonly FuzzType[], o: CorpusOptions): ValueEntry[] {
  const shapes = o.shapes ?? ["empty", "full", "random", "random"];
  const out: ValueEntry[] = [];
  for (const t of types) {
    const rng = seededRng(`${o.seed}:value:${t.name}`);
    const mine: Uint8Array[] = [];
    for (const shape of shapes) {
      const v = randomValue(model, t, rng, { shape, caps: o.caps ?? SMALL_CAPS, budget: o.budget ?? 8192 });
      const bytes = encode(t.codec, v);
      if (mine.some((b) => sameBytes(b, bytes))) continue;
      mine.push(bytes);
      out.push({ type: t, bytes, marks: marksOf(t.codec, bytes) });
    }
  }
  return out;
}

/** Bytes before a frame's body: the length word and six header words. */
export const BODY_AT = 28;

const TYPE_NAMES = Object.fromEntries(Object.entries(MessageType).map(([k, v]) => [v, k.replace(/^VIR_NET_/, "")]));

/** The header words worth overwriting, with values aimed at routing. */
function headerMarks(rng: Rng, program: ProgramInfo, frameLength: number): [number, WordKind][] {
  const numbers = Object.values(program.procedures).map((p) => p.number);
  const top = Math.max(0, ...numbers);
  const someProcs = numbers.length === 0 ? [] : [0, 1, 2, 3].map(() => rng.pick(numbers));
  const u = (vs: number[]): WordKind => ({ kind: "fixed", values: [...new Set(vs.map((v) => v >>> 0))] });
  return [
    [0, u([0, FRAME_MIN - 1, FRAME_MIN, frameLength - 1, frameLength + 1, frameLength + 4, FRAME_MAX, FRAME_MAX + 1, 0xffffffff])],
    [4, u([...programs.map((p) => p.program), 0, program.program + 1, 0xffffffff])],
    [8, u([0, 1, 2, 0xffffffff])],
    [12, u([0, 1, 2, ...someProcs, top + 1, 0x7fffffff, 0x80000000, 0xffffffff])],
    [16, u([0, 1, 2, 3, 4, 5, 6, 7, 0xffffffff])],
    [20, u([0, 1, 2, 3, 0x7fffffff, 0xffffffff])],
    [24, u([0, 1, 2, 3, 0xffffffff])],
  ];
}

export interface FrameMaker {
  /** A whole frame with a random valid body for the codec (null: empty body). */
  frame(program: ProgramInfo, h: Omit<Header, "prog" | "vers">, codec: Codec<unknown> | null, label: string): FrameEntry;
  rng: Rng;
}

export function frameMaker(model: Model, types: readonly FuzzType[], o: CorpusOptions): FrameMaker {
  const sym = symOf(types);
  const rng = seededRng(`${o.seed}:frames`);
  const w = new XdrWriter();
  return {
    rng,
    frame(program, h, codec, label) {
      const body = codec === null ? undefined : randomValue(model, sym(codec.name), rng, { caps: o.caps ?? SMALL_CAPS, budget: o.budget ?? 8192 });
      const bytes = encodeMessage(w, { prog: program.program, vers: program.version, ...h }, codec, body);
      const words = headerMarks(rng, program, bytes.length);
      if (codec !== null) words.push(...wordsOf(codec, bytes, BODY_AT));
      const marks = Marks.build(words, bytes.length);
      return { label: `${program.name} ${TYPE_NAMES[h.type]} ${label}`, bytes, marks };
    },
  };
}

/** A valid frame of every kind the client can meet, for every procedure. */
export function frameCorpus(model: Model, types: readonly FuzzType[], o: CorpusOptions): FrameEntry[] {
  const fm = frameMaker(model, types, o);
  const { rng } = fm;
  const out: FrameEntry[] = [];
  const OK = MessageStatus.VIR_NET_OK;
  for (const program of programs) {
    const procs = Object.values(program.procedures);
    procs.forEach((p, i) => {
      const serial = rng.between(1, 1000);
      const proc = p.number;
      if (p.args !== null) out.push(fm.frame(program, { proc, type: MessageType.VIR_NET_CALL, serial, status: OK }, p.args, p.name));
      if (p.message !== null) out.push(fm.frame(program, { proc, type: MessageType.VIR_NET_MESSAGE, serial: 0, status: OK }, p.message, p.name));
      else out.push(fm.frame(program, { proc, type: MessageType.VIR_NET_REPLY, serial, status: OK }, p.ret, p.name));
      // Error replies share one body type: a sample of procedures is enough.
      if (i % 16 === 0) {
        out.push(fm.frame(program, { proc, type: MessageType.VIR_NET_REPLY, serial, status: MessageStatus.VIR_NET_ERROR }, errorCodec, `${p.name} error`));
      }
    });
    const first = procs[0];
    if (first === undefined) continue;
    const proc = first.number;
    out.push(fm.frame(program, { proc, type: MessageType.VIR_NET_STREAM, serial: 7, status: MessageStatus.VIR_NET_CONTINUE }, null, "stream end"));
    out.push(fm.frame(program, { proc, type: MessageType.VIR_NET_STREAM_HOLE, serial: 7, status: MessageStatus.VIR_NET_CONTINUE }, holeCodec, "hole"));
    out.push(fm.frame(program, { proc, type: MessageType.VIR_NET_REPLY_WITH_FDS, serial: 8, status: OK }, first.ret, first.name));
  }
  // Stream data: raw bytes after the header, which nothing decodes.
  const remote = programs[0]!;
  const data = fm.frame(remote, { proc: 1, type: MessageType.VIR_NET_STREAM, serial: 9, status: MessageStatus.VIR_NET_CONTINUE }, null, "stream data");
  const payload = rng.bytes(61);
  const bytes = new Uint8Array(data.bytes.length + payload.length);
  bytes.set(data.bytes);
  bytes.set(payload, data.bytes.length);
  new DataView(bytes.buffer).setUint32(0, bytes.length);
  out.push({ ...data, bytes });
  return out;
}

/** Every frame of the captured sessions in fixtures/ (both directions). */
export function capturedFrames(): FrameEntry[] {
  const dir = join(repoRoot(), "fixtures");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".jsonl"))
    .sort()
    .flatMap((f) =>
      readFixture(readFileSync(join(dir, f), "utf8"), f).frames.map((x) => ({
        label: `${f} ${x.program} ${x.type} ${x.procedure}`,
        bytes: frameBytes(x),
        marks: Marks.none,
      })),
    );
}

/** A copy whose length word says its real size, so framing stays in step. */
export function fixLength(frame: Uint8Array): Uint8Array {
  if (frame.length < 4) return frame;
  const out = frame.slice();
  new DataView(out.buffer).setUint32(0, out.length);
  return out;
}
