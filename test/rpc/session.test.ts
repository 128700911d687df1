import { describe, expect, it } from "vitest";
import { KEEPALIVE_PROGRAM } from "../../src/gen/virkeepaliveprotocol.js";
import { codecs as net } from "../../src/gen/virnetprotocol.js";
import { codecs, remoteProgram } from "../../src/gen/remote_protocol.js";
import { type ConnectionClosedError, LibvirtError, ProtocolError } from "../../src/rpc/errors.js";
import { MessageStatus, MessageType } from "../../src/rpc/message.js";
import type { InboundEvent } from "../../src/rpc/session.js";
import { fromHex } from "../helpers/bytes.js";
import { sessionPair } from "../helpers/fake-daemon.js";

const P = remoteProgram.procedures;
const dom = { name: "vm", uuid: new Uint8Array(16), id: 3 };

describe("RpcSession: calls", () => {
  it("routes replies by serial, whatever their order", async () => {
    const { session, daemon } = sessionPair();
    const a = session.call(remoteProgram, P.connectGetHostname, undefined);
    const b = session.call(remoteProgram, P.domainLookupByName, { name: "vm" });
    await daemon.receivedCount(2);
    const [ca, cb] = daemon.received;
    expect(cb!.header).toMatchObject({ prog: 0x20008086, vers: 1, proc: P.domainLookupByName.number, type: 0, status: 0 });
    expect(ca!.header.serial).not.toBe(cb!.header.serial);
    daemon.reply(cb!.header, codecs.remote_domain_lookup_by_name_ret, { dom });
    daemon.reply(ca!.header, codecs.remote_connect_get_hostname_ret, { hostname: "h" });
    expect(await a).toEqual({ hostname: "h" });
    expect(await b).toEqual({ dom });
  });

  it("turns an error reply into a LibvirtError carrying the whole remote_error", async () => {
    const { session, daemon } = sessionPair();
    const call = session.call(remoteProgram, P.domainLookupByName, { name: "x" });
    await daemon.receivedCount(1);
    const remote = { code: 42, domain: 10, message: "Domain not found: x", level: 2, dom: null, str1: "a", str2: null, str3: null, int1: -1, int2: 7, net: null };
    daemon.reply(daemon.received[0]!.header, net.virNetMessageError, remote, MessageStatus.VIR_NET_ERROR);
    const err = (await call.catch((e: unknown) => e)) as LibvirtError;
    expect(err).toBeInstanceOf(LibvirtError);
    expect([err.code, err.number, err.domain, err.level, err.message, err.str1, err.int2]).toEqual([
      "VIR_ERR_NO_DOMAIN", 42, "VIR_FROM_QEMU", "VIR_ERR_ERROR", "Domain not found: x", "a", 7,
    ]);
    expect(err.remote).toEqual(remote);
  });

  it("a failing onReply hook rejects its call rather than leaving it pending", async () => {
    const { session, daemon } = sessionPair();
    const boom = new Error("hook failed");
    const call = session.call(remoteProgram, P.connectGetHostname, undefined, { onReply: () => { throw boom; } });
    await daemon.receivedCount(1);
    daemon.reply(daemon.received[0]!.header, codecs.remote_connect_get_hostname_ret, { hostname: "h" });
    await expect(call).rejects.toBe(boom);
    expect(session.inFlight).toBe(0);
  });

  it("rejects a call whose arguments do not encode, before sending anything", async () => {
    const { session, daemon } = sessionPair();
    await expect(session.call(remoteProgram, P.domainLookupByName, { name: 5 })).rejects.toMatchObject({ code: "XDR_BAD_VALUE", where: "remote_domain_lookup_by_name_args.name" });
    expect(daemon.received).toHaveLength(0);
  });
});

describe("RpcSession: libvirt's client policy on protocol violations", () => {
  async function closedBy(act: (d: ReturnType<typeof sessionPair>["daemon"]) => void): Promise<{ error: ConnectionClosedError; pending: unknown }> {
    const { session, daemon } = sessionPair();
    const pending = session.call(remoteProgram, P.connectGetHostname, undefined).catch((e: unknown) => e);
    await daemon.receivedCount(1);
    act(daemon);
    const info = await session.closed;
    expect(info.reason).toBe("error");
    return { error: info.error, pending: await pending };
  }

  const closing: [string, (d: ReturnType<typeof sessionPair>["daemon"]) => void, string][] = [
    ["a reply with no matching serial", (d) => d.send({ serial: 999, proc: 2 }), "reply with serial 999 matches no call"],
    ["a reply for another procedure", (d) => d.reply({ ...d.received[0]!.header, proc: 3 }, null), "is for program 0x20008086 v1 procedure 3"],
    ["a call from the server", (d) => d.send({ type: MessageType.VIR_NET_CALL, serial: 5 }), "the daemon sent a call"],
    ["a message for an unknown program", (d) => d.send({ prog: 0x1234, type: MessageType.VIR_NET_MESSAGE }), "message for unknown program 0x1234"],
    ["an unknown event procedure", (d) => d.send({ proc: 9999, type: MessageType.VIR_NET_MESSAGE }), "unknown event procedure 9999 of program remote"],
    ["a procedure that is not an event", (d) => d.send({ proc: P.connectGetHostname.number, type: MessageType.VIR_NET_MESSAGE }), "unknown event procedure"],
    ["a frame shorter than a header", (d) => d.sendRaw(fromHex("0000001b 00000000 00000000 00000000 00000000 00000000 000000")), "frame length 27 is below the minimum of 28"],
    ["a header of a type libvirt does not have", (d) => d.sendRaw(fromHex("0000001c 20008086 00000001 00000001 00000009 00000001 00000000")), "message of unknown type 9"],
  ];
  for (const [what, act, message] of closing) {
    it(`${what}: closes the connection; pending calls reject with the same error`, async () => {
      const { error, pending } = await closedBy(act);
      expect(error.cause).toBeInstanceOf(ProtocolError);
      expect(error.message).toContain(message);
      expect(pending).toBe(error);
    });
  }

  it("an undecodable event body: dropped and counted, the connection goes on", async () => {
    const events: InboundEvent[] = [];
    const { session, daemon } = sessionPair({ onEvent: (e) => events.push(e) });
    const msg = { callbackID: 1, msg: { dom, event: 2, detail: 0 } };
    daemon.send({ type: MessageType.VIR_NET_MESSAGE, proc: P.domainEventCallbackLifecycle.number }, codecs.remote_domain_event_callback_lifecycle_msg, msg);
    daemon.sendRaw(fromHex(`0000001c 20008086 00000001 ${P.domainEventCallbackLifecycle.number.toString(16).padStart(8, "0")} 00000002 00000000 00000000`));
    const call = session.call(remoteProgram, P.connectGetHostname, undefined);
    await daemon.receivedCount(1);
    daemon.reply(daemon.received[0]!.header, codecs.remote_connect_get_hostname_ret, { hostname: "h" });
    expect(await call).toEqual({ hostname: "h" });
    expect(events.map((e) => [e.procedure.name, e.body])).toEqual([["REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE", msg]]);
    expect(session.stats.undecodableEvents).toBe(1);
  });

  it("an undecodable reply fails only that call", async () => {
    const { session, daemon } = sessionPair();
    const bad = session.call(remoteProgram, P.connectGetHostname, undefined).catch((e: unknown) => e);
    const good = session.call(remoteProgram, P.connectGetHostname, undefined);
    await daemon.receivedCount(2);
    daemon.reply(daemon.received[0]!.header, codecs.remote_connect_get_lib_version_ret, { lib_ver: 1n });
    daemon.reply(daemon.received[1]!.header, codecs.remote_connect_get_hostname_ret, { hostname: "ok" });
    expect(await bad).toBeInstanceOf(ProtocolError);
    expect(await good).toEqual({ hostname: "ok" });
    expect(session.isClosed).toBe(false);
  });

  it("an event whose status is not OK is ignored and counted, as libvirt's client does", async () => {
    const events: InboundEvent[] = [];
    const { session, daemon } = sessionPair({ onEvent: (e) => events.push(e) });
    const msg = { callbackID: 1, msg: { dom, event: 2, detail: 0 } };
    daemon.send({ type: MessageType.VIR_NET_MESSAGE, status: MessageStatus.VIR_NET_ERROR, proc: P.domainEventCallbackLifecycle.number }, codecs.remote_domain_event_callback_lifecycle_msg, msg);
    daemon.send({ type: MessageType.VIR_NET_MESSAGE, proc: P.domainEventCallbackLifecycle.number }, codecs.remote_domain_event_callback_lifecycle_msg, msg);
    await expect.poll(() => events.length).toBe(1);
    expect(session.stats.ignoredEvents).toBe(1);
    expect(session.isClosed).toBe(false);
  });

  it("stream data for an unknown stream is ignored", async () => {
    const { session, daemon } = sessionPair();
    daemon.send({ type: MessageType.VIR_NET_STREAM, serial: 77, status: MessageStatus.VIR_NET_CONTINUE });
    daemon.send({ type: MessageType.VIR_NET_STREAM_HOLE, serial: 77 });
    const call = session.call(remoteProgram, P.connectGetHostname, undefined);
    await daemon.receivedCount(1);
    daemon.reply(daemon.received[0]!.header, codecs.remote_connect_get_hostname_ret, { hostname: "h" });
    await call;
    expect(session.stats.ignoredStreamMessages).toBe(2);
  });
});

describe("RpcSession: keepalive and closing", () => {
  it("answers a daemon's PING with a PONG", async () => {
    const { daemon } = sessionPair();
    daemon.send({ prog: KEEPALIVE_PROGRAM, vers: 1, proc: 1, type: MessageType.VIR_NET_MESSAGE });
    await daemon.receivedCount(1);
    expect(daemon.received[0]).toEqual({
      header: { prog: KEEPALIVE_PROGRAM, vers: 1, proc: 2, type: MessageType.VIR_NET_MESSAGE, serial: 0, status: 0 },
      body: new Uint8Array(0),
    });
  });

  it("sends PINGs when the daemon is silent and closes after count of them", async () => {
    const { session, daemon } = sessionPair();
    session.startKeepalive(40, 2);
    const info = await session.closed;
    expect(info.reason).toBe("keepalive");
    expect(daemon.received.map((m) => m.header.proc)).toEqual([1, 1]);
  });

  it("fires closed once, with eof, when the daemon goes away; later calls fail at once", async () => {
    const { session, daemon } = sessionPair();
    let fired = 0;
    void session.closed.then(() => fired++);
    const pending = session.call(remoteProgram, P.connectGetHostname, undefined).catch((e: unknown) => e);
    daemon.stream.end();
    const info = await session.closed;
    expect(info.reason).toBe("eof");
    expect(await pending).toBe(info.error);
    await expect(session.call(remoteProgram, P.connectGetHostname, undefined)).rejects.toBe(info.error);
    await session.end();
    expect(fired).toBe(1);
  });
});

describe("RpcSession: destroy", () => {
  it("destroy() closes the stream at once, not only the session", async () => {
    const { session, daemon } = sessionPair();
    const ended = new Promise<void>((r) => daemon.stream.once("close", () => r()));
    session.destroy("client", "dropped by the test");
    expect((await session.closed).reason).toBe("client");
    await ended; // the peer sees its side closed: nothing left open
  });
});
