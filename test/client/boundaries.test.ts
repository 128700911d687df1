import { getHeapStatistics } from "node:v8";
import { describe, expect, it } from "vitest";
import { codecs, remoteProgram } from "../../src/gen/remote_protocol.js";
import { VIR_NET_MESSAGE_MAX } from "../../src/gen/virnetprotocol.js";
import { ConnectionClosedError, ProtocolError } from "../../src/rpc/errors.js";
import { FrameDecoder } from "../../src/rpc/frame.js";
import { XdrError } from "../../src/xdr/index.js";
import { fromHex } from "../helpers/bytes.js";
import { sessionPair } from "../helpers/fake-daemon.js";

const P = remoteProgram.procedures;
const word = (n: number): Uint8Array => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n);
  return b;
};

describe("frame length boundaries", () => {
  // The length word counts itself and a 24-byte header: 28 is the least; libvirt's maximum excludes the word.
  const refused = [0, 3, 4, 27, VIR_NET_MESSAGE_MAX + 5, 0xffffffff];
  for (const len of refused) {
    it(`length ${len}: a ProtocolError closes the connection (reason error) and rejects pending calls`, async () => {
      const { session, daemon } = sessionPair();
      const pending = session.call(remoteProgram, P.connectGetHostname, undefined).catch((e: unknown) => e);
      await daemon.receivedCount(1);
      daemon.sendRaw(word(len));
      const info = await session.closed;
      expect(info.reason).toBe("error");
      expect(info.error.cause).toBeInstanceOf(ProtocolError);
      expect(await pending).toBe(info.error);
      await expect(session.call(remoteProgram, P.connectGetHostname, undefined)).rejects.toBeInstanceOf(ConnectionClosedError);
    });
  }

  it("length 28: a header-only reply is a whole message (a void reply)", async () => {
    const { session, daemon } = sessionPair();
    const call = session.call(remoteProgram, P.domainSuspend, { dom: { name: "d", uuid: new Uint8Array(16), id: 1 } });
    await daemon.receivedCount(1);
    const serial = daemon.received[0]!.header.serial.toString(16).padStart(8, "0");
    const proc = P.domainSuspend.number.toString(16).padStart(8, "0");
    daemon.sendRaw(fromHex(`0000001c 20008086 00000001 ${proc} 00000001 ${serial} 00000000`));
    expect(await call).toBeUndefined();
  });

  it(`length ${VIR_NET_MESSAGE_MAX + 4} is allowed; declared and never sent, it costs no memory`, () => {
    const d = new FrameDecoder();
    const before = getHeapStatistics().used_heap_size;
    expect(d.push(Uint8Array.from([...word(VIR_NET_MESSAGE_MAX + 4), 0x20, 0x00, 0x80, 0x86]))).toEqual([]);
    const grown = getHeapStatistics().used_heap_size - before;
    expect(d.pending).toBe(8);
    expect(grown).toBeLessThan(1 << 20);
    console.log(`a declared ${VIR_NET_MESSAGE_MAX + 4}-byte frame with nothing after it: heap grew ${grown} bytes`);
  });
});

describe("outbound guards: nothing is written for a message libvirt would refuse", () => {
  it("a message over VIR_NET_MESSAGE_MAX", async () => {
    const { session, daemon } = sessionPair();
    // Nine domains with 4 MiB names: every field within its <max>, the whole over 32 MiB.
    const doms = Array.from({ length: 9 }, () => ({ name: "x".repeat(4 << 20), uuid: new Uint8Array(16), id: 1 }));
    const err = await session.call(remoteProgram, P.connectGetAllDomainStats, { doms, stats: 0, flags: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as Error).message).toMatch(/exceeds libvirt's maximum of 33554436/);
    await new Promise((r) => setTimeout(r, 20));
    expect(daemon.received).toHaveLength(0);
    expect(session.isClosed).toBe(false);
  });

  it("a string over its <max> counted in UTF-8 bytes, though not in UTF-16 units", async () => {
    const { session, daemon } = sessionPair();
    const name = "é".repeat((4 << 20) / 2 + 1); // 2^21 + 1 units, 4 MiB + 2 bytes
    const err = await session.call(remoteProgram, P.domainLookupByName, { name }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(XdrError);
    expect(err).toMatchObject({ code: "XDR_TOO_LONG", where: "remote_domain_lookup_by_name_args.name" });
    await new Promise((r) => setTimeout(r, 20));
    expect(daemon.received).toHaveLength(0);
    expect(codecs.remote_domain_lookup_by_name_args.name).toBe("remote_domain_lookup_by_name_args");
  });
});
