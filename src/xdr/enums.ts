import { badEnum } from "./errors.js";
import type { XdrWriter } from "./writer.js";

/**
 * Enums are open on the wire, as in rpcgen's C (xdr_enum checks no
 * membership): a generated decoder returns any 32-bit value. Encoders check
 * that a value is one the `.x` lists, because a value outside it is far more
 * often a bug than a deliberate choice; a writer passed to openEnums encodes
 * those too, for code that re-encodes what a peer sent (a proxy, a replay).
 */
const open = new WeakSet<XdrWriter>();

/** Lets `w` encode enum values the `.x` does not list, as libvirt's C does. Returns `w`. */
export function openEnums(w: XdrWriter): XdrWriter {
  open.add(w);
  return w;
}

/**
 * Called by generated encoders for a value that is not a member of the
 * enum: written if `w` was opened, XDR_BAD_ENUM otherwise (and always for
 * what is not a 32-bit integer).
 */
export function otherEnum(w: XdrWriter, v: unknown, type: string): void {
  if (!open.has(w) || typeof v !== "number" || (v | 0) !== v) throw badEnum(v, type);
  w.int(v);
}
