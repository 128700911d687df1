import {
  VirNetMessageStatus,
  VirNetMessageType,
  decodeVirNetMessageHeader,
  encodeVirNetMessageHeader,
  type VirNetMessageHeader,
} from "../gen/virnetprotocol.js";
import { XdrError, XdrReader, type XdrWriter, type Codec } from "../xdr/index.js";
import { ProtocolError } from "./errors.js";
import { FRAME_MAX, FRAME_MIN } from "./frame.js";

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

/** What every packet of one stream carries in its header: the opening call's program, version, procedure and serial. */
export interface StreamAddress {
  readonly prog: number;
  readonly vers: number;
  readonly proc: number;
  readonly serial: number;
}

/**
 * One stream packet: length word, header, raw payload. Written by hand
 * rather than through encodeMessage, since the payload is not an XDR value
 * and is copied once, straight into the frame.
 */
export function encodeStreamFrame(to: StreamAddress, status: number, type: number, payload: Uint8Array): Uint8Array {
  const frame = Buffer.allocUnsafe(FRAME_MIN + payload.length);
  writeStreamHead(frame, to, status, type, frame.length);
  frame.set(payload, FRAME_MIN);
  return frame;
}

/** The length word and header of a stream frame whose payload is written apart (bulk data is not copied). */
export function encodeStreamHead(to: StreamAddress, status: number, type: number, payloadLength: number): Uint8Array {
  const head = Buffer.allocUnsafe(FRAME_MIN);
  writeStreamHead(head, to, status, type, FRAME_MIN + payloadLength);
  return head;
}

function writeStreamHead(frame: Buffer, to: StreamAddress, status: number, type: number, length: number): void {
  frame.writeUInt32BE(length, 0);
  frame.writeUInt32BE(to.prog, 4);
  frame.writeUInt32BE(to.vers, 8);
  frame.writeInt32BE(to.proc, 12);
  frame.writeInt32BE(type, 16);
  frame.writeUInt32BE(to.serial, 20);
  frame.writeInt32BE(status, 24);
}
