import type { Duplex } from "node:stream";
import { afterEach, describe, expect, it, vi } from "vitest";
import { connect } from "../../src/client/client.js";
import { connectDeadline, DEFAULT_CONNECT_TIMEOUT } from "../../src/client/deadline.js";
import { codecs, remoteProgram } from "../../src/gen/remote_protocol.js";
import { TimeoutError } from "../../src/rpc/errors.js";
import { MemoryTransport } from "../../src/transport/memory.js";
import { transportFor } from "../../src/transport/select.js";
import { parseUri } from "../../src/uri.js";
import { FakeDaemon } from "../helpers/fake-daemon.js";

const P = remoteProgram.procedures;
const tcp = { description: "tcp:127.0.0.1:16509" };

afterEach(() => {
  vi.useRealTimers();
});

describe("the default connect timeout", () => {
  it("is 30 s, applied when connectTimeout is not given", () => {
    vi.useFakeTimers();
    expect(DEFAULT_CONNECT_TIMEOUT).toBe(30_000);
    const d = connectDeadline({}, tcp);
    vi.advanceTimersByTime(DEFAULT_CONNECT_TIMEOUT - 1);
    expect(d.signal!.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(d.signal!.aborted).toBe(true);
    expect(d.signal!.reason).toBeInstanceOf(TimeoutError);
    expect((d.signal!.reason as Error).message).toBe("connecting to tcp:127.0.0.1:16509 timed out after 30000 ms (the default connectTimeout) without an answer from a libvirt daemon");
    d.dispose();
  });

  it("ends once the daemon has answered (authentication may wait for a person)", () => {
    vi.useFakeTimers();
    const d = connectDeadline({}, tcp);
    vi.advanceTimersByTime(1000);
    d.heard();
    vi.advanceTimersByTime(10 * DEFAULT_CONNECT_TIMEOUT);
    expect(d.signal!.aborted).toBe(false);
    d.dispose();
  });

  it("is not applied to a transport that may prompt a person (ssh, libssh, ext)", () => {
    vi.useFakeTimers();
    const d = connectDeadline({}, { description: "ssh:host", mayPrompt: true });
    expect(d.signal).toBeUndefined();
  });

  it("which transports may prompt a person, and so get no default", () => {
    const mayPrompt = (uri: string, callback = false): boolean =>
      transportFor(parseUri(uri), { readOnly: false, auth: callback ? { callback: async () => [] } : undefined }).mayPrompt === true;
    expect(mayPrompt("qemu+tcp://127.0.0.1/system")).toBe(false);
    expect(mayPrompt("qemu+tls://127.0.0.1/system")).toBe(false);
    expect(mayPrompt("qemu+unix:///system")).toBe(false);
    // ssh asks on the terminal unless BatchMode (no_tty=1).
    expect(mayPrompt("qemu+ssh://h/system")).toBe(true);
    expect(mayPrompt("qemu+ssh://h/system?no_tty=1")).toBe(false);
    // In-process SSH asks only through the credentials callback.
    expect(mayPrompt("qemu+libssh2://u@h/system")).toBe(false);
    expect(mayPrompt("qemu+libssh2://u@h/system", true)).toBe(true);
    expect(mayPrompt("qemu+libssh://u@h/system", true)).toBe(true);
    expect(mayPrompt("qemu+ext:///system?command=/bin/true")).toBe(true);
  });

  it("an explicit connectTimeout bounds every phase on every transport, the daemon's answer or not", () => {
    vi.useFakeTimers();
    for (const transport of [tcp, { description: "ssh:host", mayPrompt: true }]) {
      const d = connectDeadline({ connectTimeout: 500 }, transport);
      d.heard();
      vi.advanceTimersByTime(500);
      expect(d.signal!.aborted).toBe(true);
      expect((d.signal!.reason as Error).message).toBe(`connecting to ${transport.description} timed out after 500 ms`);
      d.dispose();
    }
  });

  it("connect(): a daemon that answered AUTH_LIST and then takes long over CONNECT_OPEN is waited for", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    let daemon!: FakeDaemon;
    const transport = new MemoryTransport((server: Duplex) => {
      daemon = new FakeDaemon(server);
    });
    let done = false;
    const opened = connect("test:///default", { transport, keepalive: false }).then((c) => {
      done = true;
      return c;
    });
    await vi.waitFor(() => expect(daemon?.received.length).toBe(1));
    daemon.reply(daemon.received[0]!.header, codecs.remote_auth_list_ret, { types: [0] });
    await vi.waitFor(() => expect(daemon.received.length).toBe(2));
    expect(daemon.received[1]!.header.proc).toBe(P.connectOpen.number);
    await vi.advanceTimersByTimeAsync(2 * DEFAULT_CONNECT_TIMEOUT);
    expect(done).toBe(false);
    daemon.reply(daemon.received[1]!.header, null);
    const c = await opened;
    c.destroy();
  });
});
