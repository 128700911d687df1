import type { Duplex } from "node:stream";
import { describe, expect, it } from "vitest";
import { Client } from "../../src/client/client.js";
import { codecs, remoteProgram } from "../../src/gen/remote_protocol.js";
import { MessageStatus, MessageType, encodeMessage, type Header } from "../../src/rpc/message.js";
import { MemoryTransport } from "../../src/transport/memory.js";
import { parseUri } from "../../src/uri.js";
import { XdrWriter } from "../../src/xdr/index.js";
import { FakeDaemon } from "../helpers/fake-daemon.js";

const P = remoteProgram.procedures;

type Behaviour = (d: FakeDaemon, h: Header) => boolean;

/** A daemon that answers the handshake (no auth, keepalive unsupported) and whatever `special` takes. */
function serve(server: Duplex, special: Behaviour = () => false): FakeDaemon {
  const d = new FakeDaemon(server);
  let seen = 0;
  server.on("data", () =>
    queueMicrotask(() => {
      for (; seen < d.received.length; seen++) {
        const h = d.received[seen]!.header;
        if (special(d, h)) continue;
        if (h.proc === P.authList.number) d.reply(h, codecs.remote_auth_list_ret, { types: [0] });
        else if (h.proc === P.connectSupportsFeature.number) d.reply(h, codecs.remote_connect_supports_feature_ret, { supported: 0 });
        else if (h.proc === P.connectGetLibVersion.number) d.reply(h, codecs.remote_connect_get_lib_version_ret, { lib_ver: 9000000n });
        else d.reply(h, null);
      }
    }),
  );
  return d;
}

describe("Client: reconnect races", () => {
  it("close() is final even when the connection dies while CONNECT_CLOSE waits for its reply", async () => {
    let connections = 0;
    const transport = new MemoryTransport((server) => {
      connections++;
      serve(server, (d, h) => {
        if (h.proc !== P.connectClose.number) return false;
        // The daemon goes away exactly as the client says goodbye.
        d.stream.destroy();
        return true;
      });
    });
    const client = new Client(await transport.connect(), parseUri("test:///default"), transport, {
      reconnect: { initialDelay: 1, maxDelay: 1 },
      keepalive: false,
    });
    await client.open(undefined);
    let reconnects = 0;
    client.on("disconnect", () => reconnects++);
    await client.close();
    await new Promise((r) => setTimeout(r, 50));
    expect(reconnects).toBe(0);
    expect(connections).toBe(1);
    expect(client.isClosed).toBe(true);
    client.destroy();
  });

  it("a reconnect whose new session dies as its handshake completes keeps reconnecting", async () => {
    let connections = 0;
    const writer = new XdrWriter();
    const transport = new MemoryTransport((server) => {
      const n = ++connections;
      serve(server, (d, h) => {
        if (n !== 2 || h.proc !== P.connectOpen.number) return false;
        // The last handshake reply (keepalive is off) and, in the same chunk, bytes that kill the session.
        const reply = encodeMessage(writer, { ...h, type: MessageType.VIR_NET_REPLY, status: MessageStatus.VIR_NET_OK }, null, undefined);
        const garbage = new Uint8Array([0, 0, 0, 1, 0, 0, 0, 0]);
        d.stream.write(Buffer.concat([reply, garbage]));
        return true;
      });
    });
    const first = await transport.connect();
    const client = new Client(first, parseUri("test:///default"), transport, { reconnect: { initialDelay: 1, maxDelay: 1 }, keepalive: false });
    await client.open(undefined);
    first.destroy();
    await expect.poll(() => connections, { timeout: 2000 }).toBeGreaterThanOrEqual(2);
    await new Promise((r) => setTimeout(r, 50));
    // Whatever happened to attempt 2, the client must end up on a live connection.
    await expect(client.connectGetLibVersion()).resolves.toBeDefined();
    expect(connections).toBe(3);
    client.destroy();
  });
});

describe("Client: reconnect delays", () => {
  it("a delay past setTimeout's limit (24.8 days) is waited out, not turned into 1 ms", async () => {
    let connections = 0;
    const transport = new MemoryTransport((server) => {
      connections++;
      serve(server);
    });
    const first = await transport.connect();
    const client = new Client(first, parseUri("test:///default"), transport, { reconnect: { initialDelay: 2 ** 32, maxDelay: 2 ** 32 }, keepalive: false });
    await client.open(undefined);
    first.destroy();
    await new Promise((r) => setTimeout(r, 100));
    expect(client.isReconnecting).toBe(true);
    expect(connections).toBe(1);
    client.destroy();
  });
});

describe("connect(): options of the wrong type", () => {
  it("streams.digLimit must be a number of bytes, 0 or more, before anything is dialled", async () => {
    const { connect } = await import("../../src/client/client.js");
    const { OptionError } = await import("../../src/rpc/errors.js");
    let dialled = 0;
    const transport = { description: "never", connect: async (): Promise<Duplex> => void dialled++ as never };
    for (const streams of [{ digLimit: "32M" }, { digLimit: -1 }, { digLimit: Number.NaN }, "big", null]) {
      await expect(connect("test:///default", { transport, streams: streams as never })).rejects.toBeInstanceOf(OptionError);
    }
    expect(dialled).toBe(0);
  });
});

describe("Client: listeners that throw", () => {
  it("a throwing 'disconnect' or 'reconnect' listener neither stops the reconnect nor closes the new connection", async () => {
    const servers: FakeDaemon[] = [];
    const transport = new MemoryTransport((server) => void servers.push(serve(server)));
    const client = new Client(await transport.connect(), parseUri("test:///default"), transport, { reconnect: { initialDelay: 1, maxDelay: 1 }, keepalive: false });
    await client.open(undefined);
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(w.message);
    process.on("warning", onWarning);
    client.on("disconnect", () => {
      throw new Error("disconnect listener bug");
    });
    const back = new Promise((r) => client.once("reconnect", r));
    client.on("reconnect", () => {
      throw new Error("reconnect listener bug");
    });
    servers[0]!.stream.destroy();
    await back;
    expect((await client.connectGetLibVersion()).lib_ver).toBe(9000000n);
    expect(client.isReconnecting).toBe(false);
    await new Promise((r) => setImmediate(r));
    process.off("warning", onWarning);
    expect(warnings.filter((w) => /listener of the libvirt-remote client threw/.test(w))).toHaveLength(2);
    await client.close();
  });

  it("a throwing 'event' listener does not close the connection", async () => {
    let daemon!: FakeDaemon;
    const transport = new MemoryTransport((server) => void (daemon = serve(server)));
    const client = new Client(await transport.connect(), parseUri("test:///default"), transport, { keepalive: false });
    await client.open(undefined);
    client.on("event", () => {
      throw new Error("event listener bug");
    });
    const warned = new Promise((r) => process.once("warning", r));
    const msg = { callbackID: 1, msg: { dom: { name: "vm", uuid: new Uint8Array(16), id: 1 }, event: 2, detail: 0 } };
    daemon.send({ type: MessageType.VIR_NET_MESSAGE, proc: P.domainEventCallbackLifecycle.number }, codecs.remote_domain_event_callback_lifecycle_msg, msg);
    await warned;
    expect(client.isClosed).toBe(false);
    expect((await client.connectGetLibVersion()).lib_ver).toBe(9000000n);
    await client.close();
  });
});
