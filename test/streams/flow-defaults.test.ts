import { describe, expect, it, vi } from "vitest";
import { codecs, remoteProgram } from "../../src/gen/remote_protocol.js";
import { STREAM_PACKET, type StreamHandle } from "../../src/rpc/session.js";
import type { DeviceStream } from "../../src/streams/device.js";
import { callStream } from "../../src/streams/procedures.js";
import { ReceiveStream } from "../../src/streams/readable.js";
import { sendAll } from "../../src/streams/send.js";
import { sessionPair } from "../helpers/fake-daemon.js";
import { P, dom, sendData, until, vol } from "./helpers.js";

// README, "Flow control and what it costs": an upload reads its source only while less than
// 2 MiB is queued; a stream's consumer holds 2 MiB by default (`highWaterMark`); while calls
// wait, reading goes on past full consumers up to 32 MiB (`streams.digLimit`). These pin the
// defaults themselves, and that the behaviour follows them when no option is given.
vi.setConfig({ testTimeout: 60_000 });
const MiB = 1024 * 1024;
const download = { vol, offset: 0n, length: 0n, flags: 0 };

describe("stream flow-control defaults", () => {
  it("a download's and a console's high-water mark is 2 MiB by default", async () => {
    expect(new ReceiveStream("x").readableHighWaterMark).toBe(2 * MiB);
    expect(new ReceiveStream("x", { highWaterMark: 5 }).readableHighWaterMark).toBe(5);
    const { session, daemon } = sessionPair();
    const opened = callStream(session, remoteProgram, P.domainOpenConsole, { dom, dev_name: null, flags: 0 }, undefined);
    await daemon.receivedCount(1);
    daemon.reply(daemon.received[0]!.header, null);
    const con = (await opened) as DeviceStream;
    expect(con.readableHighWaterMark).toBe(2 * MiB);
    con.destroy();
  });

  it("a consumer that reads nothing holds 2 MiB (and at most one packet more), then the session stops reading", async () => {
    const { session, daemon } = sessionPair();
    const opened = callStream(session, remoteProgram, P.storageVolDownload, download, undefined);
    await daemon.receivedCount(1);
    const call = daemon.received[0]!.header;
    daemon.reply(call, null);
    const r = (await opened) as ReceiveStream;
    const packet = Buffer.alloc(STREAM_PACKET, 7);
    for (let i = 0; i < 20; i++) sendData(daemon, call, packet); // 5 MiB
    await until(() => session.stats.streamPauses === 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(r.readableLength).toBeGreaterThanOrEqual(2 * MiB);
    expect(r.readableLength).toBeLessThan(2 * MiB + STREAM_PACKET);
    r.destroy();
  });

  it("while a call waits, reading goes on past a full consumer up to 32 MiB, then stops", async () => {
    const { session, daemon } = sessionPair();
    const opened = callStream(session, remoteProgram, P.storageVolDownload, download, undefined, { highWaterMark: STREAM_PACKET });
    await daemon.receivedCount(1);
    const call = daemon.received[0]!.header;
    daemon.reply(call, null);
    const r = (await opened) as ReceiveStream;
    const packet = Buffer.alloc(STREAM_PACKET, 1);
    sendData(daemon, call, packet);
    sendData(daemon, call, packet);
    await until(() => session.stats.streamPauses === 1);
    const hostname = session.call(remoteProgram, P.connectGetHostname, undefined);
    await daemon.receivedCount(2);
    // The reply waits behind 40 MiB of the stream's data, more than the default dig limit.
    for (let i = 0; i < Math.ceil((40 * MiB) / STREAM_PACKET); i++) sendData(daemon, call, packet);
    daemon.reply(daemon.received[1]!.header, codecs.remote_connect_get_hostname_ret, { hostname: "h" });
    let answered = false;
    void hostname.then(() => (answered = true));
    await until(() => session.stats.streamPauses === 2);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(answered).toBe(false);
    expect(session.stats.streamOverflowPeak).toBeGreaterThanOrEqual(32 * MiB);
    expect(session.stats.streamOverflowPeak).toBeLessThan(32 * MiB + STREAM_PACKET);
    r.resume();
    expect(await hostname).toEqual({ hostname: "h" });
    r.destroy();
  });

  it("an upload reads its source only while less than 2 MiB is queued on the connection", async () => {
    // A connection that takes nothing: what the upload sends stays queued until drained() resolves.
    let backlog = 0;
    let release!: () => void;
    let waiting = false;
    let auto = false;
    const handle: StreamHandle = {
      serial: 1,
      isOpen: true,
      send: (bytes) => ((backlog += bytes.length), true),
      sendHole: () => true,
      finish: () => Promise.resolve(),
      abort: () => Promise.resolve(),
      resume: () => {},
      drained: () => (auto ? ((backlog = 0), Promise.resolve()) : ((waiting = true), new Promise<void>((resolve) => (release = resolve)))),
      get backlog() {
        return backlog;
      },
    };
    let read = 0;
    function* source(): Generator<Uint8Array> {
      for (let i = 0; i < 40; i++) {
        read += STREAM_PACKET;
        yield new Uint8Array(STREAM_PACKET);
      }
    }
    const failure = new Promise<never>(() => {});
    const done = sendAll(handle, false, source(), failure, "upload");
    await until(() => waiting);
    expect(backlog).toBeGreaterThan(2 * MiB);
    expect(backlog).toBeLessThanOrEqual(2 * MiB + STREAM_PACKET);
    expect(read).toBe(backlog);
    // Drained: reading resumes, up to the window again.
    backlog = 0;
    waiting = false;
    release();
    await until(() => waiting);
    expect(read).toBe(2 * Math.ceil((2 * MiB + 1) / STREAM_PACKET) * STREAM_PACKET);
    // From here on the connection takes everything at once.
    auto = true;
    release();
    await done;
    expect(read).toBe(40 * STREAM_PACKET);
  });
});
