/**
 * A deliberately naive XDR byte builder for expected values in tests,
 * independent of src/xdr so the two cannot share a mistake.
 */
export function u32(n: number): number[] {
  return [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}

export function i32(n: number): number[] {
  return u32(n >>> 0);
}

export function padded(bytes: number[]): number[] {
  const out = [...bytes];
  while (out.length % 4 !== 0) out.push(0);
  return out;
}

/** A counted ASCII string or opaque, padded to 4. */
export function str(s: string): number[] {
  const b = [...Buffer.from(s, "utf8")];
  return [...u32(b.length), ...padded(b)];
}

export function hex(bytes: ArrayLike<number>): string {
  return Buffer.from(Uint8Array.from(bytes)).toString("hex");
}

/** Parses annotated hex: whitespace and `# comments` are ignored. */
export function fromHex(annotated: string): Uint8Array {
  const digits = annotated.replace(/#[^\n]*/g, "").replace(/\s+/g, "");
  return Uint8Array.from(Buffer.from(digits, "hex"));
}
