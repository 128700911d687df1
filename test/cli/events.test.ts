import { execFile, spawn, type ChildProcess } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../../src/client/client.js";
import { startDaemon, type ThrowawayDaemon } from "../../src/testing/daemon.js";
import { sharedDaemon, uniqueName } from "../e2e/daemon.js";
import { cli, lr } from "./helpers.js";

const run = promisify(execFile);
const daemon = sharedDaemon();

/** A running `events`: its stdout lines so far, its stderr, and its exit code. */
function watch(args: string[]): { child: ChildProcess; lines: () => string[]; stdout: () => string; stderr: () => string; exited: Promise<number | null> } {
  const child = spawn("node", [cli, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout!.setEncoding("utf8").on("data", (c: string) => (out += c));
  child.stderr!.setEncoding("utf8").on("data", (c: string) => (err += c));
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  return { child, lines: () => out.split("\n").filter((l) => l !== ""), stdout: () => out, stderr: () => err, exited };
}

/** Resolves once `f` holds, polling; fails after a generous bound. */
async function until(f: () => boolean, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe.skipIf(daemon === null)("libvirt-remote events", () => {
  it("without --loop: the first event of --domain, as JSON with symbolic names, then the count", async () => {
    const uri = daemon!.uris.testTcp;
    const conn = await connect(uri);
    const name = uniqueName("cli-ev");
    const { dom } = await conn.domainDefineXml({ xml: `<domain type='test'><name>${name}</name><memory>8192</memory><os><type>hvm</type></os></domain>` });
    const other = await conn.domainDefineXml({ xml: `<domain type='test'><name>${name}-x</name><memory>8192</memory><os><type>hvm</type></os></domain>` });
    const child = spawn("node", [cli, "events", "-c", uri, "--event", "lifecycle", "--domain", name, "--json"], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (out += c));
    const exited = new Promise<number | null>((r) => child.once("exit", r));
    // Events of another domain never count; ours are repeated until the command has registered.
    let done = false;
    void exited.then(() => (done = true));
    while (!done) {
      await conn.domainCreate({ dom: other.dom });
      await conn.domainDestroy({ dom: other.dom });
      await conn.domainCreate({ dom });
      await conn.domainDestroy({ dom });
    }
    expect(await exited).toBe(0);
    // Pure JSON on stdout: the count went to stderr.
    const lines = out.trim().split("\n");
    expect(lines).toHaveLength(1);
    const event = JSON.parse(lines[0]!);
    expect(event).toMatchObject({ family: "domain", event: "lifecycle", data: { dom: { name } } });
    // UUIDs dashed, as every libvirt tool prints them.
    expect(event.data.dom.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(event.names.event).toMatch(/^VIR_DOMAIN_EVENT_(STARTED|STOPPED)$/);
    await conn.domainUndefine({ dom });
    await conn.domainUndefine({ dom: other.dom });
    await conn.close();
  });

  it("--timeout ends the loop as virsh does: no event is exit code 1", async () => {
    expect(await lr(["events", "-c", daemon!.uris.testTcp, "--family", "secret", "--all", "--loop", "--timeout", "1"])).toEqual({
      code: 1,
      stdout: "event loop timed out\nevents received: 0\n",
      stderr: "",
    });
  });

  it("with --json, a timeout leaves stdout empty and says so on stderr", async () => {
    expect(await lr(["-c", daemon!.uris.testTcp, "events", "--family", "secret", "--all", "--loop", "--timeout", "1", "--json"])).toEqual({
      code: 1,
      stdout: "",
      stderr: "event loop timed out\nevents received: 0\n",
    });
  });

  it("with --json, an error leaves stdout empty: one line on stderr", async () => {
    const r = await lr(["-c", daemon!.uris.testTcp, "events", "--all", "--domain", "no-such-domain", "--json"]);
    expect(r).toEqual({ code: 1, stdout: "", stderr: "libvirt-remote: VIR_ERR_NO_DOMAIN: Domain not found\n" });
  });

  it("--timeout takes whole seconds: Infinity, 0 and fractions are usage errors, exit code 1", async () => {
    for (const t of ["Infinity", "0", "1.5", "abc"]) {
      expect(await lr(["events", "--all", "--timeout", t])).toEqual({
        code: 1,
        stdout: "",
        stderr: `error: --timeout takes a whole number of seconds from 1 to 2147483, not '${t}'\n`,
      });
    }
  });

  it("with --json, Ctrl-C: every stdout line is JSON, the status lines are on stderr, exit code 0 after events", async () => {
    const uri = daemon!.uris.testTcp;
    const conn = await connect(uri);
    const name = uniqueName("cli-int");
    const xml = `<domain type='test'><name>${name}</name><memory>8192</memory><os><type>hvm</type></os></domain>`;
    const ev = watch(["-c", uri, "events", "--event", "lifecycle", "--loop", "--json"]);
    // Events are caused until three have been printed: the first ones may come before the registration.
    while (ev.lines().length < 3) {
      const { dom } = await conn.domainDefineXml({ xml });
      await conn.domainUndefine({ dom });
      await new Promise((r) => setTimeout(r, 20));
    }
    ev.child.kill("SIGINT");
    const code = await ev.exited;
    await conn.close();
    expect(code).toBe(0);
    const lines = ev.lines();
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(ev.stdout().endsWith("\n")).toBe(true);
    expect(ev.stderr()).toBe(`event loop interrupted\nevents received: ${lines.length}\n`);
  });

  it("--list names the events of a family, as virsh's --list does", async () => {
    const { stdout } = await run("node", [cli, "events", "--family", "storage-pool", "--list"]);
    expect(stdout).toBe("lifecycle\nrefresh\n");
    const virshList = await run("virsh", ["-c", daemon!.uris.testTcp, "event", "--list"]);
    const ours = (await run("node", [cli, "events", "--list"])).stdout.trim().split("\n");
    // virsh 9.0 knows the events up to its release; ours (11.3) are a superset, in the same order.
    expect(ours.slice(0, virshList.stdout.trim().split("\n").length)).toEqual(virshList.stdout.trim().split("\n"));
  });
});

// Issue 13, item 9: a daemon of our own, stopped and restarted under the command.
describe.skipIf(daemon === null)("libvirt-remote events and a daemon that hangs or restarts", () => {
  let d: ThrowawayDaemon;
  beforeAll(async () => {
    d = await startDaemon();
  });
  afterAll(async () => {
    d?.signal("SIGCONT");
    await d?.stop();
  });

  /** Causes lifecycle events on the test driver until `ev` has printed `n` lines. */
  async function eventsUntil(uri: string, ev: ReturnType<typeof watch>, n: number): Promise<void> {
    const conn = await connect(uri, { keepalive: false });
    try {
      const xml = `<domain type='test'><name>${uniqueName("cli-hang")}</name><memory>8192</memory><os><type>hvm</type></os></domain>`;
      while (ev.lines().length < n) {
        const { dom } = await conn.domainDefineXml({ xml });
        await conn.domainUndefine({ dom });
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      await conn.close();
    }
  }

  it("--loop --reconnect: the daemon killed and started again, the loop goes on, with virsh's lines on stderr", async () => {
    const uri = d.uris.testTcp;
    const ev = watch(["-c", uri, "events", "--event", "lifecycle", "--loop", "--reconnect", "--json"]);
    await eventsUntil(uri, ev, 1);
    // Down long enough for an attempt to fail: each failed attempt is told, with its reason.
    d.signal("SIGKILL");
    await until(() => ev.stderr().includes("Failed to reconnect"), "a failed attempt");
    await d.restart();
    await until(() => ev.stderr().includes("Reconnected"), "the reconnect");
    expect(ev.stderr()).toMatch(/^error: Failed to reconnect to the hypervisor\nerror: .*refused.*$/im);
    // Attempts made before the daemon listens again each print two lines; how many there are depends on timing.
    const failed = /error: Failed to reconnect to the hypervisor\nerror: [^\n]*\n/g;
    expect(ev.stderr().replace(failed, "")).toBe(`error: Disconnected from ${uri} due to end of file\nerror: Reconnected to the hypervisor\n`);
    const before = ev.lines().length;
    await eventsUntil(uri, ev, before + 1);
    ev.child.kill("SIGINT");
    expect(await ev.exited).toBe(0);
    for (const line of ev.lines()) expect(JSON.parse(line)).toMatchObject({ family: "domain", event: "lifecycle" });
  });

  it("-k 1 -K 2: a SIGSTOPped daemon is noticed through keepalive and the command exits 1, as virsh", async () => {
    const uri = d.uris.testTcp;
    const ev = watch(["-k", "1", "-K", "2", "-c", uri, "events", "--event", "lifecycle", "--loop"]);
    await eventsUntil(uri, ev, 1);
    const stopped = Date.now();
    d.signal("SIGSTOP");
    try {
      const code = await ev.exited;
      const took = Date.now() - stopped;
      expect(code).toBe(1);
      // Three keepalive intervals, give or take the timer's phase: well under the default's 30 s.
      expect(took).toBeGreaterThan(1500);
      expect(took).toBeLessThan(15_000);
      expect(ev.stderr()).toBe(`error: Disconnected from ${uri} due to keepalive timeout\n`);
      expect(ev.stdout()).toMatch(/events received: [1-9]\d*\n$/);
    } finally {
      d.signal("SIGCONT");
    }
  });
});
