/**
 * SASL data travels as XDR `char data<>`: one 4-byte signed int per byte,
 * as libvirt's C (x86's signed char) writes it, so bytes above 127 are
 * negative numbers on the wire.
 */
export function toXdrChars(bytes: Uint8Array): number[] {
  const out = new Array<number>(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    out[i] = b > 127 ? b - 256 : b;
  }
  return out;
}

export function fromXdrChars(chars: readonly number[]): Uint8Array {
  const out = new Uint8Array(chars.length);
  for (let i = 0; i < chars.length; i++) out[i] = chars[i]! & 0xff;
  return out;
}
