import { describe, expect, it } from "vitest";
import { connect } from "../../src/client/client.js";
import { FrameDecoder } from "../../src/rpc/frame.js";
import { decodeInbound } from "../../src/rpc/message.js";
import { TcpTransport } from "../../src/transport/socket.js";
import { parseUri } from "../../src/uri.js";
import { hex } from "../helpers/bytes.js";
import { sharedDaemon } from "./daemon.js";

const daemon = sharedDaemon();

/** Every byte a real daemon sent during a short session of calls, replies and errors. */
async function recordSession(uri: string): Promise<Uint8Array> {
  const u = parseUri(uri);
  const chunks: Uint8Array[] = [];
  const inner = new TcpTransport(u.host!, u.port!);
  const client = await connect(uri, {
    transport: {
      description: "tap",
      async connect() {
        const s = await inner.connect();
        s.on("data", (c: Uint8Array) => chunks.push(Uint8Array.from(c)));
        return s;
      },
    },
  });
  await client.connectGetHostname();
  await client.connectListAllDomains({ need_results: 1, flags: 0 });
  await client.domainLookupByName({ name: "no-such-domain" }).catch(() => undefined);
  await Promise.all([client.nodeGetInfo(), client.connectGetLibVersion(), client.connectGetType()]);
  await client.close();
  return Uint8Array.from(chunks.flatMap((c) => [...c]));
}

function framesOf(pieces: Uint8Array[]): string[] {
  const d = new FrameDecoder();
  const out = pieces.flatMap((p) => d.push(p)).map(hex);
  expect(d.pending).toBe(0);
  return out;
}

describe.skipIf(daemon === null)("framing a recorded byte stream", () => {
  it("yields the same messages however the stream is cut", async () => {
    const stream = await recordSession(daemon!.uris.testTcp);
    const whole = framesOf([stream]);
    // Replies to auth list, open, the keepalive feature check, the six calls and close: 10 frames, each a valid header.
    expect(whole).toHaveLength(10);
    for (const f of whole) expect(() => decodeInbound(Buffer.from(f, "hex"))).not.toThrow();
    for (const size of [1, 2, 3, 4, 5, 6, 7, 13, 64]) {
      const pieces: Uint8Array[] = [];
      for (let at = 0; at < stream.length; at += size) pieces.push(stream.subarray(at, at + size));
      expect(framesOf(pieces), `pieces of ${size}`).toEqual(whole);
    }
    for (let at = 0; at <= stream.length; at++) {
      expect(framesOf([stream.subarray(0, at), stream.subarray(at)])).toEqual(whole);
    }
  });
});
