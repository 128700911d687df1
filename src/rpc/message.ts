import {
  VirNetMessageStatus,
  VirNetMessageType,
  decodeVirNetMessageHeader,
  encodeVirNetMessageHeader,
  type VirNetMessageHeader,
} from "../gen/virnetprotocol.js";
import { XdrError, XdrReader, XdrWriter, type Codec } from "../xdr/index.js";
import { ProtocolError } from "./errors.js";
import { FRAME_MAX } from "./frame.js";

export type Header = VirNetMessageHeader;
export const MessageType = VirNetMessageType;
export const MessageStatus = VirNetMessageStatus;

/** A frame from the peer: its header and a reader positioned at the body. */
export interface Inbound {
  header: Header;
  body: XdrReader;
}

export function decodeInbound(frame: Uint8Array): Inbound {
  const body = new XdrReader(frame);
  try {
    return { header: decodeVirNetMessageHeader(body), body };
  } catch (e) {
    throw new ProtocolError(`undecodable message header: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

/**
 * One whole frame: length word, header, body. Refused before anything is
 * sent if it would exceed what libvirt accepts.
 */
export function encodeMessage<T>(w: XdrWriter, header: Header, codec: Codec<T> | null, body: T): Uint8Array {
  w.reset();
  w.uint(0); // the length, patched below once known
  encodeVirNetMessageHeader(w, header);
  if (codec !== null) {
    try {
      codec.encode(w, body);
    } catch (e) {
      throw e instanceof XdrError ? e.within(codec.name) : e;
    }
  }
  const len = w.pos;
  if (len > FRAME_MAX) {
    throw new ProtocolError(`message of ${len} bytes exceeds libvirt's maximum of ${FRAME_MAX}`);
  }
  w.patchUint(0, len);
  // A copy: the socket may hold on to it after the writer is reused.
  return w.bytes.slice();
}

/** Decodes a body that must be exactly one value of the codec (or empty). */
export function decodeBody<T>(codec: Codec<T> | null, r: XdrReader): T | undefined {
  try {
    const v = codec === null ? undefined : codec.decode(r);
    r.done();
    return v;
  } catch (e) {
    throw e instanceof XdrError && codec !== null ? e.within(codec.name) : e;
  }
}
