import { XdrError } from "./errors.js";
import { XdrReader } from "./reader.js";
import { XdrWriter } from "./writer.js";

/** The generated encoder and decoder of one `.x` type, under its `.x` name. */
export interface Codec<T> {
  readonly name: string;
  encode(w: XdrWriter, v: T): void;
  decode(r: XdrReader): T;
}

export function codec<T>(name: string, encode: (w: XdrWriter, v: T) => void, decode: (r: XdrReader) => T): Codec<T> {
  return { name, encode, decode };
}

/** The value type a codec carries. */
export type CodecValue<C> = C extends Codec<infer T> ? T : never;

/** One procedure of a program, as the generator finds it in the `.x`. */
export interface ProcedureInfo {
  readonly number: number;
  readonly name: string;
  readonly args: Codec<unknown> | null;
  readonly ret: Codec<unknown> | null;
  /** Set for events: the message the server sends. */
  readonly message: Codec<unknown> | null;
  /** libvirt's `@generate`, `@acl`, `@priority`, `@readstream`, ... comments. */
  readonly annotations: {
    readonly generate?: string;
    readonly priority?: string;
    readonly acl?: readonly string[];
    readonly aclfilter?: readonly string[];
    readonly readstream?: number;
    readonly writestream?: number;
    readonly sparseflag?: string;
    readonly note?: string;
    readonly inserts?: readonly { readonly type: "args" | "ret"; readonly field: string | null; readonly at: number }[];
  };
}

export interface ProgramInfo {
  readonly name: string;
  readonly program: number;
  readonly version: number;
  readonly procedures: Readonly<Record<string, ProcedureInfo>>;
}

/** Encodes one whole value into a fresh byte array. */
export function encode<T>(c: Codec<T>, v: T, w = new XdrWriter()): Uint8Array {
  w.reset();
  try {
    c.encode(w, v);
  } catch (e) {
    throw e instanceof XdrError ? e.within(c.name) : e;
  }
  return w.bytes.slice();
}

/** Decodes one whole value; bytes left over are an error. */
export function decode<T>(c: Codec<T>, bytes: Uint8Array): T {
  const r = new XdrReader(bytes);
  try {
    const v = c.decode(r);
    r.done();
    return v;
  } catch (e) {
    throw e instanceof XdrError ? e.within(c.name) : e;
  }
}
