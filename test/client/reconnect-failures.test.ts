import type { Duplex } from "node:stream";
import { describe, expect, it } from "vitest";
import { AuthError } from "../../src/auth/errors.js";
import { Client } from "../../src/client/client.js";
import { reconnectPolicy } from "../../src/client/options.js";
import type { ReconnectFailedInfo } from "../../src/client/reconnect.js";
import { codecs, remoteProgram } from "../../src/gen/remote_protocol.js";
import { ConnectionClosedError, OptionError } from "../../src/rpc/errors.js";
import { memoryPair } from "../../src/transport/memory.js";
import type { Transport } from "../../src/transport/transport.js";
import { parseUri } from "../../src/uri.js";
import { FakeDaemon } from "../helpers/fake-daemon.js";

const P = remoteProgram.procedures;

/** How the daemon meets each new connection. */
type Mood = "ok" | "refuse" | "no-polkit";

/** A daemon whose answer to each dial follows a script; after the script, the last mood stays. */
class ScriptedTransport implements Transport {
  readonly description = "scripted";
  dials = 0;
  constructor(private readonly script: Mood[]) {}

  async connect(): Promise<Duplex> {
    const mood = this.script[Math.min(this.dials++, this.script.length - 1)]!;
    if (mood === "refuse") throw new ConnectionClosedError("error", "Failed to connect socket to 'scripted': Connection refused");
    const [client, server] = memoryPair();
    const d = new FakeDaemon(server);
    let seen = 0;
    server.on("data", () =>
      queueMicrotask(() => {
        for (; seen < d.received.length; seen++) {
          const h = d.received[seen]!.header;
          // The client insists on polkit: a daemon reconfigured without it offers what the client refuses.
          if (h.proc === P.authList.number) d.reply(h, codecs.remote_auth_list_ret, { types: [mood === "no-polkit" ? 0 : 2] });
          else if (h.proc === P.authPolkit.number) d.reply(h, codecs.remote_auth_polkit_ret, { complete: 1 });
          else if (h.proc === P.connectGetLibVersion.number) d.reply(h, codecs.remote_connect_get_lib_version_ret, { lib_ver: 9000000n });
          else d.reply(h, null);
        }
      }),
    );
    return client;
  }
}

async function connected(transport: ScriptedTransport, reconnect: object): Promise<{ client: Client; failures: ReconnectFailedInfo[] }> {
  const client = new Client(await transport.connect(), parseUri("test:///default"), transport, { reconnect, keepalive: false, auth: { scheme: "polkit" } });
  await client.open(undefined);
  const failures: ReconnectFailedInfo[] = [];
  client.on("reconnectFailed", (f) => void failures.push(f));
  return { client, failures };
}

/** The client's current connection, cut from the daemon's side. */
function cut(client: Client): void {
  (client as unknown as { manager: { stream: Duplex } }).manager.stream.destroy();
}

// A generous bound: before the fix, these waited for ever.
const T = { timeout: 15_000 };

describe("Client: failed reconnect attempts", () => {
  it("each failed attempt is a 'reconnectFailed' event with its error, attempt number and the wait before the next", T, async () => {
    const transport = new ScriptedTransport(["ok", "refuse", "refuse", "refuse", "ok"]);
    const { client, failures } = await connected(transport, { initialDelay: 1, maxDelay: 4 });
    const back = new Promise<{ attempts: number }>((r) => client.once("reconnect", r));
    cut(client);
    expect((await back).attempts).toBe(4);
    expect(failures.map((f) => f.attempt)).toEqual([1, 2, 3]);
    for (const f of failures) {
      expect(f.error).toBeInstanceOf(ConnectionClosedError);
      expect(f.error.message).toMatch(/Connection refused/);
      expect(f.permanent).toBe(false);
      expect(f.retryIn).toBeGreaterThan(0);
    }
    await client.close();
  });

  it("a daemon that no longer offers the auth scheme the client requires ends the reconnect at once: waiting calls reject with it, the client closes saying why", T, async () => {
    const transport = new ScriptedTransport(["ok", "refuse", "no-polkit"]);
    const { client, failures } = await connected(transport, { initialDelay: 1, maxDelay: 1 });
    const down = new Promise((r) => client.once("disconnect", r));
    cut(client);
    await down;
    // No timeout: before, it waited for ever.
    const waiting = client.connectGetLibVersion().then(
      () => null,
      (e: unknown) => e,
    );
    const info = await client.closed;
    expect(transport.dials).toBe(3);
    expect(failures.map((f) => [f.attempt, f.permanent, f.retryIn === null])).toEqual([
      [1, false, false],
      [2, true, true],
    ]);
    expect(failures[1]!.error).toBeInstanceOf(AuthError);
    expect((failures[1]!.error as AuthError).code).toBe("ERR_AUTH_UNSUPPORTED");
    expect(info.error).toBeInstanceOf(ConnectionClosedError);
    expect(info.error.cause).toBe(failures[1]!.error);
    expect(info.error.message).toMatch(/requested authentication type polkit rejected: the daemon offers REMOTE_AUTH_NONE/);
    expect(await waiting).toBe(info.error);
    await expect(client.connectGetLibVersion()).rejects.toBe(info.error);
    expect(client.isClosed).toBe(true);
    await new Promise((r) => setTimeout(r, 20));
    expect(transport.dials).toBe(3);
  });

  it("permanentErrors: 'retry' keeps trying through permanent failures, reported each time, and maxAttempts still bounds it", T, async () => {
    const transport = new ScriptedTransport(["ok", "no-polkit"]);
    const { client, failures } = await connected(transport, { initialDelay: 1, maxDelay: 2, maxAttempts: 4, permanentErrors: "retry" });
    cut(client);
    const info = await client.closed;
    expect(failures.map((f) => [f.attempt, f.permanent, f.retryIn === null])).toEqual([
      [1, true, false],
      [2, true, false],
      [3, true, false],
      [4, true, true],
    ]);
    expect(info.error.message).toMatch(/gave up reconnecting after 4 attempts: requested authentication type polkit rejected/);
    expect(info.error.cause).toBe(failures[3]!.error);
    expect(transport.dials).toBe(5);
  });

  it("a throwing 'reconnectFailed' listener does not stop the reconnect", T, async () => {
    const transport = new ScriptedTransport(["ok", "refuse", "ok"]);
    const { client } = await connected(transport, { initialDelay: 1, maxDelay: 1 });
    client.on("reconnectFailed", () => {
      throw new Error("listener bug");
    });
    const warned = new Promise<Error>((r) => process.once("warning", r));
    const back = new Promise((r) => client.once("reconnect", r));
    cut(client);
    await back;
    expect((await warned).message).toMatch(/'reconnectFailed' listener .* threw: listener bug/);
    expect((await client.connectGetLibVersion()).lib_ver).toBe(9000000n);
    await client.close();
  });
});

describe("reconnect options", () => {
  it("permanentErrors is 'close' by default, stableAfter 30 s; wrong values are OptionErrors", () => {
    expect(reconnectPolicy(true)).toMatchObject({ permanentErrors: "close", stableAfter: 30_000, maxAttempts: Infinity, initialDelay: 250, maxDelay: 30_000 });
    expect(reconnectPolicy({ permanentErrors: "retry", stableAfter: 0 })).toMatchObject({ permanentErrors: "retry", stableAfter: 0 });
    for (const bad of [{ permanentErrors: "ignore" }, { permanentErrors: true }, { stableAfter: -1 }, { stableAfter: "10s" }, { stableAfter: Number.NaN }]) {
      expect(() => reconnectPolicy(bad), JSON.stringify(bad)).toThrow(OptionError);
    }
  });
});

describe("Client: a 'close' listener that throws", () => {
  it("when the reconnect gives up, closed still resolves, waiting calls still reject, and the throw becomes a process warning", T, async () => {
    const transport = new ScriptedTransport(["ok", "refuse"]);
    const { client } = await connected(transport, { initialDelay: 1, maxDelay: 2, maxAttempts: 2 });
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => void warnings.push(w);
    process.on("warning", onWarning);
    try {
      client.on("close", () => {
        throw new Error("close listener bug");
      });
      const down = new Promise((r) => client.once("disconnect", r));
      cut(client);
      await down;
      const waiting = client.connectGetLibVersion().catch((e: unknown) => e);
      const info = await client.closed;
      expect(info.error).toBeInstanceOf(ConnectionClosedError);
      expect(await waiting).toBeInstanceOf(ConnectionClosedError);
      await expect.poll(() => warnings.map((w) => w.message)).toContainEqual(expect.stringMatching(/a 'close' listener .* threw: close listener bug/));
    } finally {
      process.off("warning", onWarning);
    }
  });
});
