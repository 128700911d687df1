import { describe, expect, it } from "vitest";
import { remoteProgram } from "../../src/gen/remote_protocol.js";
import { MessageStatus, MessageType, decodeInbound, encodeMessage, encodeStreamFrame, encodeStreamHead, type Header } from "../../src/rpc/message.js";
import { XdrWriter } from "../../src/xdr/index.js";

const to = { prog: remoteProgram.program, vers: remoteProgram.version, proc: remoteProgram.procedures.storageVolUpload.number, serial: 0xfffffffe };

describe("stream packets", () => {
  it("a stream frame is the header encodeMessage writes, with the raw payload behind it and the length counting both", () => {
    const payload = Uint8Array.from([1, 2, 3, 4, 5]);
    const frame = encodeStreamFrame(to, MessageStatus.VIR_NET_CONTINUE, MessageType.VIR_NET_STREAM, payload);
    const header: Header = { ...to, type: MessageType.VIR_NET_STREAM, status: MessageStatus.VIR_NET_CONTINUE };
    const empty = encodeMessage(new XdrWriter(), header, null, undefined);
    expect(frame.length).toBe(empty.length + payload.length);
    expect(new DataView(frame.buffer, frame.byteOffset).getUint32(0)).toBe(frame.length);
    expect(Buffer.from(frame.subarray(4, 28))).toEqual(Buffer.from(empty.subarray(4)));
    expect(Buffer.from(frame.subarray(28))).toEqual(Buffer.from(payload));
    expect(decodeInbound(frame.subarray(4)).header).toEqual(header);
  });

  it("a head written apart is the same bytes as the whole frame's first 28, its length counting the payload to come", () => {
    const payload = new Uint8Array(1000).fill(9);
    for (const [status, type] of [
      [MessageStatus.VIR_NET_CONTINUE, MessageType.VIR_NET_STREAM_HOLE],
      [MessageStatus.VIR_NET_ERROR, MessageType.VIR_NET_STREAM],
      [MessageStatus.VIR_NET_OK, MessageType.VIR_NET_STREAM],
    ] as const) {
      const head = encodeStreamHead(to, status, type, payload.length);
      const whole = encodeStreamFrame(to, status, type, payload);
      expect(Buffer.from(head)).toEqual(Buffer.from(whole.subarray(0, 28)));
    }
  });
});
