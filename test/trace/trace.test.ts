// Observability against the shared daemon: NODE_DEBUG=libvirt-remote lines
// of a whole session with a failing call, read back from a child process,
// and diagnostics_channel subscribers that see every call with its duration.
import { spawnSync } from "node:child_process";
import diagnostics from "node:diagnostics_channel";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { connect } from "../../src/client/client.js";
import { LibvirtError } from "../../src/rpc/errors.js";
import type { CallEndMessage, CallStartMessage, ConnectionCloseMessage, ConnectionOpenMessage } from "../../src/rpc/trace.js";
import { sharedDaemon } from "../e2e/daemon.js";

const daemon = sharedDaemon();
const root = join(import.meta.dirname, "../..");

describe("NODE_DEBUG=libvirt-remote during SASL authentication", () => {
  it("names the scheme, the mechanisms and each step, and never the password", () => {
    const password = "Trace-Secret-Pw-4711";
    const out = spawnSync(process.execPath, [join(import.meta.dirname, "sasl-child.mjs"), password], {
      encoding: "utf8",
      env: { ...process.env, NODE_DEBUG: "libvirt-remote" },
      timeout: 30_000,
    });
    expect(out.status, out.stderr).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual({ scheme: "sasl", mechanism: "PLAIN", ssf: 0, layer: null });
    const text = out.stderr.split("\n").filter((l) => l.startsWith("LIBVIRT-REMOTE ")).map((l) => l.replace(/^LIBVIRT-REMOTE \d+: /, ""));
    expect(text.filter((l) => l.startsWith("auth "))).toEqual([
      "auth AUTH_LIST: the daemon offers REMOTE_AUTH_SASL",
      "auth scheme REMOTE_AUTH_SASL",
      "auth SASL offered PLAIN; chose PLAIN",
      "auth SASL PLAIN start",
      "auth SASL PLAIN complete, ssf=0",
    ]);
    expect(text).toContainEqual(expect.stringMatching(/^#\d+ call REMOTE_PROC_AUTH_SASL_START serial=3 out=\d+B in=\d+B [\d.]+ms ok$/));
    expect(text).toContainEqual(expect.stringMatching(/^#\d+ open test\+tls:\/\/example\.org\/default auth=sasl PLAIN keepalive=off$/));
    // PLAIN sends the password in AUTH_SASL_START: the call is traced, its data is not.
    expect(out.stderr).not.toContain(password);
    expect(out.stderr).not.toContain("alice");
  });
});

describe.skipIf(daemon === null)("observability", () => {
  it("NODE_DEBUG=libvirt-remote traces connecting, each call with its status, and the close", () => {
    // The built package (pretest builds it), as a user's process would load it.
    const script = `
      import { connect } from ${JSON.stringify(join(root, "dist/src/index.js"))};
      const conn = await connect(process.argv[1]);
      await conn.connectGetHostname();
      await conn.domainLookupByName({ name: "no-such-domain-for-trace" }).catch(() => {});
      await conn.close();
    `;
    const out = spawnSync(process.execPath, ["--input-type=module", "-e", script, daemon!.uris.testTcp], {
      encoding: "utf8",
      env: { ...process.env, NODE_DEBUG: "libvirt-remote" },
      timeout: 30_000,
    });
    expect(out.status, out.stderr).toBe(0);
    const lines = out.stderr.split("\n").filter((l) => l.startsWith("LIBVIRT-REMOTE "));
    const text = lines.map((l) => l.replace(/^LIBVIRT-REMOTE \d+: /, "")).join("\n");
    expect(text).toMatch(/^connecting to test\+tcp:\/\/127\.0\.0\.1:\d+\/default$/m);
    expect(text).toMatch(/^#\d+ call REMOTE_PROC_AUTH_LIST serial=1 out=28B in=\d+B [\d.]+ms ok$/m);
    expect(text).toMatch(/^auth AUTH_LIST: the daemon offers REMOTE_AUTH_NONE$/m);
    expect(text).toMatch(/^auth scheme REMOTE_AUTH_NONE$/m);
    expect(text).toMatch(/^#(\d+) call REMOTE_PROC_CONNECT_OPEN serial=\d+ out=\d+B in=\d+B [\d.]+ms ok$/m);
    expect(text).toMatch(/^#\d+ open test\+tcp:\/\/127\.0\.0\.1:\d+\/default auth=none keepalive=5s x5$/m);
    expect(text).toMatch(/^#\d+ call REMOTE_PROC_CONNECT_GET_HOSTNAME serial=\d+ out=\d+B in=\d+B [\d.]+ms ok$/m);
    expect(text).toMatch(
      /^#\d+ call REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME serial=\d+ out=\d+B in=\d+B [\d.]+ms failed: LibvirtError VIR_ERR_NO_DOMAIN: Domain not found/m,
    );
    expect(text).toMatch(/^#\d+ call REMOTE_PROC_CONNECT_CLOSE serial=\d+ out=28B in=\d+B [\d.]+ms ok$/m);
    expect(text).toMatch(/^#\d+ close reason=client: /m);
    // In order: connect, calls, close.
    const order = ["connecting to", "CONNECT_OPEN", "open test", "GET_HOSTNAME", "LOOKUP_BY_NAME", "CONNECT_CLOSE", "close reason"].map((s) => text.indexOf(s));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    // Without NODE_DEBUG, nothing.
    const quiet = spawnSync(process.execPath, ["--input-type=module", "-e", script, daemon!.uris.testTcp], {
      encoding: "utf8",
      env: { ...process.env, NODE_DEBUG: "" },
      timeout: 30_000,
    });
    expect(quiet.status).toBe(0);
    expect(quiet.stderr).not.toContain("LIBVIRT-REMOTE");
  });

  const unsubscribe: (() => void)[] = [];
  afterEach(() => {
    for (const u of unsubscribe.splice(0)) u();
  });
  function listen<T>(name: string): T[] {
    const seen: T[] = [];
    const fn = (m: unknown): void => void seen.push(m as T);
    diagnostics.subscribe(name, fn);
    unsubscribe.push(() => diagnostics.unsubscribe(name, fn));
    return seen;
  }

  it("diagnostics_channel: every call starts and ends with its duration; connections open and close", async () => {
    const starts = listen<CallStartMessage>("libvirt-remote:call:start");
    const ends = listen<CallEndMessage>("libvirt-remote:call:end");
    const errors = listen<CallEndMessage>("libvirt-remote:call:error");
    const opens = listen<ConnectionOpenMessage>("libvirt-remote:connection:open");
    const closes = listen<ConnectionCloseMessage>("libvirt-remote:connection:close");

    const conn = await connect(daemon!.uris.testTcp);
    await Promise.all(Array.from({ length: 20 }, () => conn.connectGetLibVersion()));
    const failed = await conn.domainLookupByName({ name: "no-such-domain-for-channel" }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(LibvirtError);
    await conn.close();

    expect(opens).toHaveLength(1);
    const id = opens[0]!.id;
    expect(opens[0]).toMatchObject({ auth: "none", keepalive: { interval: 5, count: 5 } });
    expect(closes).toEqual([{ id, reason: "client", message: "the connection was closed by the client" }]);
    // Every call that started ended exactly once, on one channel or the other, for the same serial.
    const mine = starts.filter((s) => s.connection === id);
    const settled = [...ends, ...errors].filter((e) => e.connection === id);
    expect(settled.map((e) => e.serial).sort((a, b) => a - b)).toEqual(mine.map((s) => s.serial).sort((a, b) => a - b));
    // AUTH_LIST, CONNECT_OPEN, SUPPORTS_FEATURE, 20 GET_LIB_VERSION, the lookup, CONNECT_CLOSE.
    expect(mine.map((s) => s.procedure).filter((p) => p === "REMOTE_PROC_CONNECT_GET_LIB_VERSION")).toHaveLength(20);
    expect(mine).toHaveLength(25);
    for (const e of settled) {
      expect(e.duration).toBeGreaterThan(0);
      expect(e.duration).toBeLessThan(10_000);
      expect(e.bytesOut).toBeGreaterThanOrEqual(28);
      expect(e.bytesIn).toBeGreaterThanOrEqual(24);
    }
    const error = errors.filter((e) => e.connection === id);
    expect(error.map((e) => e.procedure)).toEqual(["REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME"]);
    expect(error[0]!.error).toBe(failed);
  });
});
