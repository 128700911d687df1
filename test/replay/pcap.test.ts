import { describe, expect, it } from "vitest";
import { CaptureError, type CaptureErrorCode } from "../../src/recording/errors.js";
import { importCapture, readCapture } from "../../src/recording/pcap.js";
import { codecs, remoteProgram } from "../../src/gen/remote_protocol.js";
import { encodeMessage, MessageStatus, MessageType } from "../../src/rpc/message.js";
import { XdrWriter } from "../../src/xdr/index.js";

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

/** A pcap file; `snaplen` cuts every packet to that many bytes, as tcpdump -s does. */
function pcap(packets: Uint8Array[], snaplen = 65535): Uint8Array {
  const out = [...u32le(0xa1b2c3d4), ...u16le(2), ...u16le(4), ...u32le(0), ...u32le(0), ...u32le(snaplen), ...u32le(1)];
  packets.forEach((p, i) => {
    const kept = p.subarray(0, snaplen);
    out.push(...u32le(1000), ...u32le(i * 1000), ...u32le(kept.length), ...u32le(p.length), ...kept);
  });
  return Uint8Array.from(out);
}

function pcapng(packets: Uint8Array[], snaplen = 65535): Uint8Array {
  const block = (type: number, body: number[]): number[] => {
    const padded = [...body, ...new Array((4 - (body.length % 4)) % 4).fill(0)];
    const len = 12 + padded.length;
    return [...u32le(type), ...u32le(len), ...padded, ...u32le(len)];
  };
  const out = [
    ...block(0x0a0d0d0a, [...u32le(0x1a2b3c4d), ...u16le(1), ...u16le(0), ...u32le(0xffffffff), ...u32le(0xffffffff)]),
    ...block(1, [...u16le(1), ...u16le(0), ...u32le(65535)]),
  ];
  packets.forEach((p, i) => {
    const kept = p.subarray(0, snaplen);
    out.push(...block(6, [...u32le(0), ...u32le(0), ...u32le(1_000_000_000 + i * 1000), ...u32le(kept.length), ...u32le(p.length), ...kept]));
  });
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

  // Issue 13, defect 12: what cannot become a faithful fixture is a CaptureError with one clear line.
  describe("captures that cannot be imported faithfully", () => {
    function refused(file: Uint8Array, port = 16509): CaptureError {
      try {
        importCapture(file, { port });
      } catch (e) {
        if (e instanceof CaptureError) return e;
        throw new Error(`not a CaptureError: ${String(e)}`, { cause: e });
      }
      throw new Error("the capture was imported");
    }
    const expectRefused = (file: Uint8Array, code: CaptureErrorCode, message: string): void => {
      const e = refused(file);
      expect([e.code, e.message]).toEqual([code, message]);
    };

    for (const [name, make] of [["pcap", pcap], ["pcapng", pcapng]] as const) {
      it(`${name}: a snaplen that cut the session's packets is an error, not fewer frames`, () => {
        // 14 + 20 + 20 header bytes and 10 of the payload: the 36-byte reply loses 26.
        expectRefused(make(packets, 64), "ERR_CAPTURE_TRUNCATED",
          "packet 3 (127.0.0.1:40000 -> 127.0.0.1:16509) was cut to 64 of 72 bytes by the capture's snaplen: capture again with tcpdump -s 0 (or tshark without -s)");
      });

      it(`${name}: a cut packet of another connection does not matter`, () => {
        const other = packet(40001, 22, 7, 0x18, new Array(200).fill(1));
        expect(importCapture(make([...packets, other], 120), { port: 16509 }).frames).toHaveLength(2);
      });

      it(`${name}: every truncation of the file is a CaptureError, unless it falls between whole packets`, () => {
        const file = make(packets);
        // Cut between two packets, the file is a shorter capture, and is read as one.
        const between = new Map(packets.map((_, k) => [make(packets.slice(0, k)).length, k]));
        const outcome = (bytes: Uint8Array): unknown => {
          try {
            return importCapture(bytes, { port: 16509 });
          } catch (e) {
            return e;
          }
        };
        for (let n = 0; n < file.length; n++) {
          const got = outcome(file.subarray(0, n));
          const k = between.get(n);
          if (k !== undefined) {
            expect(got, `${name} cut to ${n} bytes, after ${k} whole packets`).toEqual(outcome(make(packets.slice(0, k))));
            continue;
          }
          if (!(got instanceof Error)) throw new Error(`${name} cut to ${n} bytes, inside a packet, was imported`);
          if (!(got instanceof CaptureError)) throw new Error(`${name} cut to ${n} bytes: ${String(got)}`);
          expect(got.message).not.toContain("\n");
        }
      });
    }

    it("an empty or tiny file is not a capture", () => {
      expectRefused(new Uint8Array(0), "ERR_CAPTURE_MALFORMED", "not a pcap or pcapng file: it is empty");
      expectRefused(Uint8Array.of(0xd4, 0xc3), "ERR_CAPTURE_MALFORMED", "not a pcap or pcapng file: it has only 2 bytes");
      expectRefused(Uint8Array.from(Buffer.from("GET / HTTP/1.1\r\n\r\n")), "ERR_CAPTURE_MALFORMED", "not a pcap or pcapng file (magic 0x47455420)");
    });

    it("a pcap cut short says where", () => {
      const file = pcap(packets);
      expectRefused(file.subarray(0, 20), "ERR_CAPTURE_MALFORMED", "pcap: the file header is cut short (20 of 24 bytes)");
      expectRefused(file.subarray(0, 30), "ERR_CAPTURE_MALFORMED", "pcap: packet 1 at byte 24: its record header is cut short (6 of 16 bytes)");
      expectRefused(file.subarray(0, 24 + 16 + 10), "ERR_CAPTURE_MALFORMED", "pcap: packet 1 at byte 24: 54 bytes captured but the file ends after 10");
    });

    it("a pcapng cut short says where", () => {
      const file = pcapng(packets);
      expectRefused(file.subarray(0, 40), "ERR_CAPTURE_MALFORMED", "pcapng: block 2 at byte 28: cut short (12 of 20 bytes)");
      const bad = Uint8Array.from(file);
      bad.set(u32le(8), 32); // the interface block claims 8 bytes, less than a block's own framing
      expectRefused(bad, "ERR_CAPTURE_MALFORMED", "pcapng: block 2 at byte 28: length 8 is below 12");
    });

    it("a packet too short for its own headers is malformed", () => {
      expectRefused(pcap([Uint8Array.of(0, 0, 0, 0, 0, 0)]), "ERR_CAPTURE_MALFORMED", "packet 1: 6 bytes are too few for its headers");
    });

    it("bytes of the session missing from the capture (dropped packets) are an error", () => {
      const lost = [packets[0]!, packets[1]!, packets[2]!, packets[5]!]; // the call's first half never arrives
      expectRefused(pcap(lost), "ERR_CAPTURE_GAP", "the capture misses 10 bytes sent by 127.0.0.1:40000 (dropped packets?), so the session cannot be rebuilt");
    });

    it("a capture that ends inside a frame is an error", () => {
      // Only the call's first 10 bytes: the capture stopped inside the frame.
      expectRefused(pcap([packets[0]!, packets[1]!, packets[3]!]), "ERR_CAPTURE_GAP", "the capture ends 10 bytes into a frame sent by 127.0.0.1:40000");
      // No reply at all is no cut frame: the capture may have stopped before the daemon answered.
      expect(importCapture(pcap(packets.slice(0, 5)), { port: 16509 }).frames).toHaveLength(1);
    });

    it("bytes on the port that are not libvirt RPC are an error", () => {
      const http = [...Buffer.from("GET / HTTP/1.1\r\nHost: x\r\n\r\n")];
      expectRefused(pcap([packets[0]!, packet(40000, 16509, 101, 0x18, http)]), "ERR_CAPTURE_NOT_LIBVIRT",
        "the session from 127.0.0.1:40000 to port 16509 is not libvirt RPC: frame length 1195725856 exceeds the maximum of 33554436");
      // A length word below the smallest frame (length word and header).
      expect(refused(pcap([packets[0]!, packet(40000, 16509, 101, 0x18, [0, 0, 0, 8, 1, 2, 3, 4])])).message).toBe(
        "the session from 127.0.0.1:40000 to port 16509 is not libvirt RPC: frame length 8 is below the minimum of 28");
    });
  });
});

describe("pcap import of a session that sets a secret", () => {
  const value = new TextEncoder().encode("topsecret");
  const proc = remoteProgram.procedures.secretSetValue;
  const header = { prog: remoteProgram.program, vers: remoteProgram.version, proc: proc.number, type: MessageType.VIR_NET_CALL, serial: 3, status: MessageStatus.VIR_NET_OK };
  const frame = encodeMessage(new XdrWriter(), header, codecs.remote_secret_set_value_args, { secret: { uuid: new Uint8Array(16), usageType: 0, usageID: "" }, value, flags: 0 });
  const capture = pcap([packet(40000, 16509, 100, 0x02, []), packet(40000, 16509, 101, 0x18, [...frame])]);
  const hex = Buffer.from(value).toString("hex");

  it("empties the value as the recorder does, unless told to keep it", () => {
    const [redacted] = importCapture(capture).frames;
    expect(redacted).toMatchObject({ procedure: "REMOTE_PROC_SECRET_SET_VALUE", redacted: value.length });
    expect(redacted!.hex).not.toContain(hex);
    const [kept] = importCapture(capture, { redactSecrets: false }).frames;
    expect(kept!.hex).toContain(hex);
    expect(kept).not.toHaveProperty("redacted");
  });
});
