import { describe, expect, it } from "vitest";
import { importCapture, readCapture } from "../../src/fixtures/pcap.js";

/** An Ethernet + IPv4 + TCP packet from 127.0.0.1:a to 127.0.0.1:b. */
function packet(srcPort: number, dstPort: number, seq: number, flags: number, payload: number[]): Uint8Array {
  const tcp = [srcPort >> 8, srcPort & 255, dstPort >> 8, dstPort & 255, seq >>> 24, (seq >>> 16) & 255, (seq >>> 8) & 255, seq & 255, 0, 0, 0, 0, 0x50, flags, 0xff, 0xff, 0, 0, 0, 0];
  const total = 20 + tcp.length + payload.length;
  const ip = [0x45, 0, total >> 8, total & 255, 0, 0, 0x40, 0, 64, 6, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1];
  const eth = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x00];
  return Uint8Array.from([...eth, ...ip, ...tcp, ...payload]);
}

const u32le = (n: number): number[] => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24];
const u16le = (n: number): number[] => [n & 255, n >>> 8];

function pcap(packets: Uint8Array[]): Uint8Array {
  const out = [...u32le(0xa1b2c3d4), ...u16le(2), ...u16le(4), ...u32le(0), ...u32le(0), ...u32le(65535), ...u32le(1)];
  packets.forEach((p, i) => out.push(...u32le(1000), ...u32le(i * 1000), ...u32le(p.length), ...u32le(p.length), ...p));
  return Uint8Array.from(out);
}

function pcapng(packets: Uint8Array[]): Uint8Array {
  const block = (type: number, body: number[]): number[] => {
    const padded = [...body, ...new Array((4 - (body.length % 4)) % 4).fill(0)];
    const len = 12 + padded.length;
    return [...u32le(type), ...u32le(len), ...padded, ...u32le(len)];
  };
  const out = [
    ...block(0x0a0d0d0a, [...u32le(0x1a2b3c4d), ...u16le(1), ...u16le(0), ...u32le(0xffffffff), ...u32le(0xffffffff)]),
    ...block(1, [...u16le(1), ...u16le(0), ...u32le(65535)]),
  ];
  packets.forEach((p, i) => out.push(...block(6, [...u32le(0), ...u32le(0), ...u32le(1_000_000_000 + i * 1000), ...u32le(p.length), ...u32le(p.length), ...p])));
  return Uint8Array.from(out);
}

// A header-only CALL and its REPLY: program remote, procedure 59 (CONNECT_GET_HOSTNAME).
const call = [0, 0, 0, 0x1c, 0x20, 0x00, 0x80, 0x86, 0, 0, 0, 1, 0, 0, 0, 59, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0];
const reply = [0, 0, 0, 0x24, 0x20, 0x00, 0x80, 0x86, 0, 0, 0, 1, 0, 0, 0, 59, 0, 0, 0, 1, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 2, 0x76, 0x6d, 0, 0];

describe("pcap and pcapng import", () => {
  // The call is cut in two segments that arrive out of order, one retransmitted.
  const packets = [
    packet(40000, 16509, 100, 0x02, []), // SYN
    packet(16509, 40000, 500, 0x12, []), // SYN-ACK
    packet(40000, 16509, 111, 0x18, call.slice(10)), // second half first
    packet(40000, 16509, 101, 0x18, call.slice(0, 10)),
    packet(40000, 16509, 101, 0x18, call.slice(0, 10)), // retransmission
    packet(16509, 40000, 501, 0x18, reply),
  ];
  for (const [name, file] of [["pcap", pcap(packets)], ["pcapng", pcapng(packets)]] as const) {
    it(`${name}: reassembles both directions into frames`, () => {
      expect(readCapture(file)).toHaveLength(6);
      const f = importCapture(file, { port: 16509 });
      expect(f.frames.map((x) => [x.dir, x.procedure, x.type, x.serial])).toEqual([
        ["send", "REMOTE_PROC_CONNECT_GET_HOSTNAME", "CALL", 7],
        ["recv", "REMOTE_PROC_CONNECT_GET_HOSTNAME", "REPLY", 7],
      ]);
      expect(f.frames[0]!.hex).toBe(Buffer.from(call).toString("hex"));
    });
  }

  it("says so when the capture holds no connection to the port", () => {
    expect(() => importCapture(pcap(packets), { port: 1234 })).toThrow("no TCP connection to port 1234 in the capture");
  });
});
