// An upload whose opening call fails never reads its source: the source is still told to clean up
// (a file's ReadStream opened its descriptor when it was made, and would keep it).
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { codecs, remoteProgram } from "../../src/gen/remote_protocol.js";
import { MessageStatus } from "../../src/rpc/message.js";
import { callStream } from "../../src/streams/procedures.js";
import { sessionPair } from "../helpers/fake-daemon.js";
import { P, until, vol } from "./helpers.js";

describe("upload whose call fails", () => {
  it("destroys a Readable source it never read", async () => {
    const { session, daemon } = sessionPair();
    const source = new Readable({ read() {} });
    source.push(Buffer.alloc(5));
    const up = callStream(session, remoteProgram, P.storageVolUpload, { vol, offset: 0n, length: 0n, flags: 0 }, source);
    await daemon.receivedCount(1);
    const call = daemon.received[0]!.header;
    const err = { code: 1, domain: 18, message: "Permission denied", level: 2, dom: null, str1: null, str2: null, str3: null, int1: -1, int2: -1, net: null };
    daemon.reply(call, codecs.remote_error, err, MessageStatus.VIR_NET_ERROR);
    await expect(up).rejects.toThrow("Permission denied");
    await until(() => source.destroyed, 1000);
    expect(source.destroyed).toBe(true);
    expect(session.isClosed).toBe(false);
  });
});

describe("upload stopped before its source was read", () => {
  it("destroys a Readable source when the signal had already fired", async () => {
    const { session, daemon } = sessionPair();
    const source = new Readable({ read() {} });
    source.push(Buffer.alloc(5));
    const ac = new AbortController();
    const up = callStream(session, remoteProgram, P.storageVolUpload, { vol, offset: 0n, length: 0n, flags: 0 }, source, { signal: ac.signal });
    await daemon.receivedCount(1);
    const call = daemon.received[0]!.header;
    ac.abort(); // after the call went out, before its reply: the session lets the reply come, then the upload stops
    daemon.reply(call, null);
    const outcome = await up.then(() => "resolved", (e: Error) => e.name);
    expect(outcome).not.toBe("resolved");
    await until(() => source.destroyed, 1000);
    expect(source.destroyed).toBe(true);
  });
});

describe("sendAll stopped before the first read", () => {
  it("destroys a Readable source it never read", async () => {
    const { sendAll } = await import("../../src/streams/send.js");
    const handle = {
      serial: 1,
      isOpen: true,
      send: () => true,
      sendHole: () => true,
      finish: async () => undefined,
      abort: async () => void (handle.isOpen = false),
      resume: () => undefined,
      drained: async () => undefined,
      backlog: 0,
    };
    const source = new Readable({ read() {} });
    source.push(Buffer.alloc(5));
    const never = new Promise<never>(() => undefined);
    await expect(sendAll(handle, false, source, never, "upload", { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: "AbortError" });
    await until(() => source.destroyed, 1000);
    expect(handle.isOpen).toBe(false);
  });
});
