import type { Readable } from "node:stream";
import { describe, expect, it, vi } from "vitest";
import { remoteProgram } from "../../src/gen/remote_protocol.js";
import { callStream } from "../../src/streams/procedures.js";
import type { ReceiveStream } from "../../src/streams/readable.js";
import { sessionPair } from "../helpers/fake-daemon.js";
import { P, sendConfirm, sendData, sendEnd, sendHole, streamPackets, until, vol } from "./helpers.js";

// Issue 27, item 10: README says packets for a stream that is over are ignored and counted
// (`conn.stats.ignoredStreamMessages`). A hostile daemon keeps sending after the end: every
// such packet must show in the counter, whether the stream is still registered or gone.
vi.setConfig({ testTimeout: 15_000 });
const download = { vol, offset: 0n, length: 0n, flags: 0 };
const sparseDownload = { ...download, flags: 1 };

async function collect(r: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of r) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

describe("stream packets after the end of a stream are ignored and counted", () => {
  it("after the daemon's end (empty CONTINUE), before and after its confirmation", async () => {
    const { session, daemon } = sessionPair();
    const opened = callStream(session, remoteProgram, P.storageVolDownload, sparseDownload, undefined);
    await daemon.receivedCount(1);
    const call = daemon.received[0]!.header;
    daemon.reply(call, null);
    const r = (await opened) as ReceiveStream;
    const body = collect(r);
    sendData(daemon, call, Buffer.from("data"));
    sendEnd(daemon, call);
    // The stream is over on the daemon's side; a hostile daemon goes on anyway.
    sendData(daemon, call, Buffer.from("after the end"));
    sendHole(daemon, call, 4096);
    sendEnd(daemon, call);
    await until(() => streamPackets(daemon).length === 1);
    await until(() => session.stats.ignoredStreamMessages === 3);
    sendConfirm(daemon, call);
    expect((await body).toString()).toBe("data");
    // Gone from the session: still counted, as before.
    sendData(daemon, call, Buffer.from("later still"));
    await until(() => session.stats.ignoredStreamMessages === 4);
    expect(session.isClosed).toBe(false);
  });

  it("after the client's abort, while waiting for the daemon's confirmation", async () => {
    const { session, daemon } = sessionPair();
    const opened = callStream(session, remoteProgram, P.storageVolDownload, download, undefined);
    await daemon.receivedCount(1);
    const call = daemon.received[0]!.header;
    daemon.reply(call, null);
    const r = (await opened) as ReceiveStream;
    const closed = new Promise((resolve) => r.on("close", resolve));
    r.destroy();
    await until(() => streamPackets(daemon).length === 1);
    sendData(daemon, call, Buffer.alloc(100));
    sendData(daemon, call, Buffer.alloc(100));
    await until(() => session.stats.ignoredStreamMessages === 2);
    sendConfirm(daemon, call);
    await closed;
    expect(session.stats.ignoredStreamMessages).toBe(2);
    expect(session.isClosed).toBe(false);
  });
});
