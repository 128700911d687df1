import { codecs as net } from "../../src/gen/virnetprotocol.js";
import { remoteProgram } from "../../src/gen/remote_protocol.js";
import { MessageStatus, MessageType, type Header } from "../../src/rpc/message.js";
import { XdrWriter } from "../../src/xdr/index.js";
import type { FakeDaemon } from "../helpers/fake-daemon.js";

export const P = remoteProgram.procedures;
export const vol = { pool: "p", name: "v", key: "/p/v" };
export const dom = { name: "vm", uuid: new Uint8Array(16), id: 3 };

/** A stream packet as the daemon sends it: header, then raw payload. */
export function streamPacket(to: Header, status: number, payload: Uint8Array = new Uint8Array(0), type: number = MessageType.VIR_NET_STREAM): Uint8Array {
  const frame = Buffer.alloc(28 + payload.length);
  frame.writeUInt32BE(frame.length, 0);
  frame.writeUInt32BE(to.prog, 4);
  frame.writeUInt32BE(to.vers, 8);
  frame.writeInt32BE(to.proc, 12);
  frame.writeInt32BE(type, 16);
  frame.writeUInt32BE(to.serial, 20);
  frame.writeInt32BE(status, 24);
  frame.set(payload, 28);
  return frame;
}

export function sendData(d: FakeDaemon, to: Header, bytes: Uint8Array): void {
  d.sendRaw(streamPacket(to, MessageStatus.VIR_NET_CONTINUE, bytes));
}
export function sendEnd(d: FakeDaemon, to: Header): void {
  d.sendRaw(streamPacket(to, MessageStatus.VIR_NET_CONTINUE));
}
export function sendConfirm(d: FakeDaemon, to: Header): void {
  d.sendRaw(streamPacket(to, MessageStatus.VIR_NET_OK));
}
export function sendHole(d: FakeDaemon, to: Header, length: number): void {
  const w = new XdrWriter();
  net.virNetStreamHole.encode(w, { length: BigInt(length), flags: 0 });
  d.sendRaw(streamPacket(to, MessageStatus.VIR_NET_CONTINUE, w.bytes.slice(0, w.pos), MessageType.VIR_NET_STREAM_HOLE));
}
export function sendStreamError(d: FakeDaemon, to: Header, message: string, type: Header["type"] = MessageType.VIR_NET_STREAM): void {
  d.send({ ...to, type, status: MessageStatus.VIR_NET_ERROR }, net.virNetMessageError, {
    code: 1,
    domain: 18,
    message,
    level: 2,
    dom: null,
    str1: message,
    str2: null,
    str3: null,
    int1: -1,
    int2: -1,
    net: null,
  });
}

/** The client's stream packets the daemon has received so far, in order. */
export function streamPackets(d: FakeDaemon): { type: number; status: number; serial: number; body: Uint8Array }[] {
  return d.received
    .filter((m) => m.header.type === MessageType.VIR_NET_STREAM || m.header.type === MessageType.VIR_NET_STREAM_HOLE)
    .map((m) => ({ type: m.header.type, status: m.header.status, serial: m.header.serial, body: m.body }));
}

export async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 2));
  }
}
