import { createServer as createHttpServer } from "node:http";
import { createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { connect } from "../../src/client/client.js";
import { connectAdmin } from "../../src/admin/client.js";
import { DEFAULT_CONNECT_TIMEOUT } from "../../src/client/deadline.js";
import { AbortError, ConnectError, ConnectionClosedError, ProtocolError, TimeoutError } from "../../src/rpc/errors.js";

/** A port nothing listens on: one just listened on and closed again. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

const servers: Server[] = [];
const peers: Socket[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const p of peers.splice(0)) p.destroy();
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

async function listen(s: Server): Promise<number> {
  servers.push(s);
  // Closing a server waits for its connections: they go with it.
  s.on("connection", (socket: Socket) => peers.push(socket));
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  return (s.address() as AddressInfo).port;
}

/** A TCP peer that accepts and never says a word; resolves `heard` once the client's first call is in. */
async function silentPeer(): Promise<{ port: number; called: Promise<void> }> {
  let called!: () => void;
  const gotCall = new Promise<void>((resolve) => (called = resolve));
  const port = await listen(
    createServer((socket) => {
      // AUTH_LIST's frame: the length word, the 24-byte header, no body.
      let got = 0;
      socket.on("data", (b) => {
        got += b.length;
        if (got >= 28) called();
      });
    }),
  );
  return { port, called: gotCall };
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected a rejection");
}

describe("connect failures, each its own error (issue 26)", () => {
  it("a refused TCP port: ConnectError ERR_CONNECT in virsh's words, the system error as cause", async () => {
    const port = await closedPort();
    const e = await rejection(connect(`test+tcp://127.0.0.1:${port}/default`));
    expect(e).toBeInstanceOf(ConnectError);
    expect(e).not.toBeInstanceOf(ConnectionClosedError);
    const c = e as ConnectError;
    expect(c.code).toBe("ERR_CONNECT");
    expect(c.name).toBe("ConnectError");
    // virsh -c qemu+tcp://127.0.0.1:1/system list: "unable to connect to server at '127.0.0.1:1': Connection refused"
    expect(c.message).toBe(`unable to connect to server at '127.0.0.1:${port}': Connection refused`);
    expect(c.address).toBe(`127.0.0.1:${port}`);
    expect((c.cause as NodeJS.ErrnoException).code).toBe("ECONNREFUSED");
  });

  it("a missing Unix socket: ConnectError ERR_CONNECT in virsh's words, ENOENT as cause", async () => {
    const path = "/nonexistent/libvirt-sock";
    const e = await rejection(connect(`qemu+unix:///system?socket=${path}`));
    expect(e).toBeInstanceOf(ConnectError);
    const c = e as ConnectError;
    expect(c.code).toBe("ERR_CONNECT");
    // virsh -c 'qemu+unix:///system?socket=/nonexistent' list: "Failed to connect socket to '/nonexistent': No such file or directory"
    expect(c.message).toBe(`Failed to connect socket to '${path}': No such file or directory`);
    expect(c.address).toBe(path);
    expect((c.cause as NodeJS.ErrnoException).code).toBe("ENOENT");
  });

  it("the admin client's missing socket is the same ConnectError", async () => {
    const e = await rejection(connectAdmin("libvirtd:///system?socket=/nonexistent/admin-sock"));
    expect(e).toBeInstanceOf(ConnectError);
    expect((e as ConnectError).code).toBe("ERR_CONNECT");
  });

  it("an HTTP server: ConnectError ERR_NOT_LIBVIRT, saying so and showing what it sent", async () => {
    const port = await listen(createHttpServer((_req, res) => res.end("hello")) as unknown as Server);
    const e = await rejection(connect(`test+tcp://127.0.0.1:${port}/default`));
    expect(e).toBeInstanceOf(ConnectError);
    const c = e as ConnectError;
    expect(c.code).toBe("ERR_NOT_LIBVIRT");
    expect(c.message).toContain(`unable to connect to tcp:127.0.0.1:${port}: this does not look like a libvirt daemon (it sent "HTTP/1.1 400 Bad Request\\r\\n`);
    // libvirt's symptom is there too: virsh says "packet 1213486156 bytes received from server too large, want 33554432".
    expect(c.message).toMatch(/frame length 1213486160 exceeds the maximum/);
    expect(c.cause).toBeInstanceOf(ProtocolError);
  });

  it("a peer that sends a few bytes that make no frame and hangs up: ERR_NOT_LIBVIRT too", async () => {
    const port = await listen(createServer((s) => s.end("no\n")));
    const e = await rejection(connect(`test+tcp://127.0.0.1:${port}/default`));
    expect((e as ConnectError).code).toBe("ERR_NOT_LIBVIRT");
    expect(e.message).toContain('(it sent "no\\n")');
  });

  it("a peer that hangs up without a word is a closed connection, as libvirt's 'end of file', not a wrong peer", async () => {
    const port = await listen(createServer((s) => s.end()));
    const e = await rejection(connect(`test+tcp://127.0.0.1:${port}/default`));
    expect(e).toBeInstanceOf(ConnectionClosedError);
  });

  it("a silent peer past an explicit connectTimeout: TimeoutError ERR_TIMEOUT naming the address", async () => {
    const { port } = await silentPeer();
    const e = await rejection(connect(`test+tcp://127.0.0.1:${port}/default`, { connectTimeout: 300 }));
    expect(e).toBeInstanceOf(TimeoutError);
    expect((e as TimeoutError).code).toBe("ERR_TIMEOUT");
    expect(e.message).toMatch(new RegExp(`^connecting to tcp:127\\.0\\.0\\.1:${port} timed out after 300 ms: REMOTE_PROC_AUTH_LIST was aborted`));
  });

  it("a silent peer past the default connect timeout (30 s, fake clock): TimeoutError saying it was the default", async () => {
    expect(DEFAULT_CONNECT_TIMEOUT).toBe(30_000);
    const { port, called } = await silentPeer();
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const settled: { error?: Error } = {};
    const p = connect(`test+tcp://127.0.0.1:${port}/default`).then(
      () => {},
      (e: Error) => void (settled.error = e),
    );
    // The dial is done and the handshake's first call waits for an answer.
    await called;
    await vi.advanceTimersByTimeAsync(DEFAULT_CONNECT_TIMEOUT - 1);
    expect(settled.error).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    await p;
    expect(settled.error).toBeInstanceOf(TimeoutError);
    expect(settled.error!.message).toMatch(/timed out after 30000 ms \(the default connectTimeout\) without an answer from a libvirt daemon/);
  });

  it("connectTimeout: Infinity turns the default off", async () => {
    const { port, called } = await silentPeer();
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const controller = new AbortController();
    const settled: { error?: Error } = {};
    const p = connect(`test+tcp://127.0.0.1:${port}/default`, { connectTimeout: Infinity, signal: controller.signal }).then(
      () => {},
      (e: Error) => void (settled.error = e),
    );
    await called;
    await vi.advanceTimersByTimeAsync(10 * DEFAULT_CONNECT_TIMEOUT);
    expect(settled.error).toBeUndefined();
    controller.abort();
    await p;
    expect(settled.error).toBeInstanceOf(AbortError);
  });

  it("AbortSignal.timeout(): AbortError with Node's code ABORT_ERR, the signal's TimeoutError as cause", async () => {
    const { port } = await silentPeer();
    const e = await rejection(connect(`test+tcp://127.0.0.1:${port}/default`, { signal: AbortSignal.timeout(200) }));
    expect(e).toBeInstanceOf(AbortError);
    expect((e as AbortError).code).toBe("ABORT_ERR");
    expect((e.cause as Error).name).toBe("TimeoutError");
  });

  it("an abort before anything: ABORT_ERR, as Node's own APIs reject", async () => {
    const port = await closedPort();
    const e = await rejection(connect(`test+tcp://127.0.0.1:${port}/default`, { signal: AbortSignal.abort() }));
    expect((e as AbortError).code).toBe("ABORT_ERR");
    expect(e.name).toBe("AbortError");
  });
});
