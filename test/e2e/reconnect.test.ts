import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync } from "node:fs";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type Client, type DisconnectInfo, type ReconnectInfo } from "../../src/client/client.js";
import type { ReconnectFailedInfo } from "../../src/client/reconnect.js";
import type { Subscription } from "../../src/events/dispatcher.js";
import { formatVirsh } from "../../src/cli/format/virsh-events.js";
import type { LibvirtEvent } from "../../src/events/types.js";
import { ConnectError, ConnectionClosedError, LibvirtError } from "../../src/rpc/errors.js";
import { startDaemon, type ThrowawayDaemon } from "../../src/testing/daemon.js";
import { makeSaslConfig } from "../../src/testing/sasl.js";
import { sharedDaemon, uniqueName, virsh, virshFails } from "./daemon.js";

const run = promisify(execFile);
const enabled = sharedDaemon() !== null;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function virshIn(uri: string, command: string, xml: string): Promise<void> {
  await run("sh", ["-c", `printf '%s' "$0" | virsh -q -c "$1" ${command} /dev/stdin`, xml, uri]);
}

async function until(what: string, check: () => boolean, ms = 20_000): Promise<void> {
  const t0 = Date.now();
  while (!check()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

function reconnected(c: Client): Promise<ReconnectInfo> {
  return new Promise((resolve) => c.once("reconnect", resolve));
}

const fds = (): number => readdirSync("/proc/self/fd").length;

describe.skipIf(!enabled)("automatic reconnect against a real libvirtd", () => {
  let d: ThrowawayDaemon;
  beforeAll(async () => {
    d = await startDaemon();
  });
  afterAll(async () => {
    await d?.stop();
  });

  it("survives SIGKILL and restart: every subscription is carried over, gets one gap, and sees exactly its events", async () => {
    const opts = { reconnect: { initialDelay: 50, maxDelay: 500 } };
    const test = await connect(d.uris.testTcp, opts);
    const qemu = await connect(d.uris.qemuUnix, opts);
    const got = new Map<string, string[]>();
    const gaps = new Map<string, number>();
    const subs: Subscription[] = [];
    const listen = async (c: Client, key: string, family: string, event: string, filter?: unknown): Promise<void> => {
      got.set(key, []);
      gaps.set(key, 0);
      const sub = await c.events.subscribe(
        family as "domain",
        event as "lifecycle",
        (e: unknown) => {
          if (e instanceof Object && "gap" in e) gaps.set(key, gaps.get(key)! + 1);
          else got.get(key)!.push(formatVirsh(e as LibvirtEvent).trim());
        },
        { gaps: true, ...(filter === undefined ? {} : { filter: filter as never }) },
      );
      subs.push(sub);
    };
    // 20 subscriptions of five families: some share a daemon registration (same key), some do not.
    for (let i = 0; i < 4; i++) await listen(test, `domain-lifecycle-${i}`, "domain", "lifecycle");
    for (const ev of ["reboot", "rtc-change", "watchdog", "io-error", "graphics", "metadata-change"]) await listen(test, `domain-${ev}`, "domain", ev);
    for (let i = 0; i < 3; i++) await listen(test, `network-${i}`, "network", "lifecycle");
    for (let i = 0; i < 3; i++) await listen(test, `pool-${i}`, "storagePool", "lifecycle");
    await listen(test, "nodedev", "nodeDevice", "lifecycle");
    await listen(test, "nodedev-update", "nodeDevice", "update");
    for (let i = 0; i < 2; i++) await listen(qemu, `secret-${i}`, "secret", "lifecycle");
    expect(subs).toHaveLength(20);
    const keysBefore = test.events.registrationCount + qemu.events.registrationCount;

    const back = Promise.all([reconnected(test), reconnected(qemu)]);
    const disconnects: string[] = [];
    test.on("disconnect", (i) => disconnects.push(i.reason));
    await d.restart("SIGKILL");
    const readyAt = Date.now();
    const infos = await back;
    expect(disconnects).toEqual(["eof"]);
    await until("registrations back", () => test.events.registrationCount + qemu.events.registrationCount === keysBefore);
    console.log(`reconnect: subscriptions live ${Date.now() - readyAt} ms after the daemon was back; downtime ${infos.map((i) => i.downtime).join(", ")} ms`);
    for (const [key, n] of gaps) expect(n, key).toBe(1);

    // A virsh listener started after the restart is the reference for the domain events.
    const reference = spawn("virsh", ["-c", d.uris.testTcp, "event", "--event", "lifecycle", "--loop", "--timeout", "20"], { stdio: ["ignore", "pipe", "ignore"] });
    let virshOut = "";
    reference.stdout.on("data", (c: Buffer) => (virshOut += c.toString()));
    await sleep(500); // virsh registers before it prints nothing at all: give it a moment
    const name = uniqueName("rc");
    await virshIn(d.uris.testTcp, "define", `<domain type='test'><name>${name}</name><memory>8192</memory><os><type>hvm</type></os></domain>`);
    await run("virsh", ["-q", "-c", d.uris.testTcp, "start", name]);
    await virshIn(d.uris.testTcp, "net-define", `<network><name>${name}</name><bridge name='virbr-${name.slice(-5)}'/></network>`);
    await virshIn(d.uris.testTcp, "pool-define", `<pool type='dir'><name>${name}</name><target><path>/tmp/${name}</path></target></pool>`);
    await virshIn(d.uris.qemuUnix, "secret-define", `<secret ephemeral='no' private='yes'><usage type='volume'><volume>/tmp/${name}.img</volume></usage></secret>`);
    await until("every event", () =>
      [0, 1, 2, 3].every((i) => got.get(`domain-lifecycle-${i}`)!.length === 2) &&
      [0, 1, 2].every((i) => got.get(`network-${i}`)!.length === 1 && got.get(`pool-${i}`)!.length === 1) &&
      [0, 1].every((i) => got.get(`secret-${i}`)!.length === 1),
    );
    await sleep(300); // anything extra (a duplicate registration would double every event) arrives by now
    const lines = got.get("domain-lifecycle-0")!;
    expect(lines).toEqual([`event 'lifecycle' for domain '${name}': Defined Added`, `event 'lifecycle' for domain '${name}': Started Booted`]);
    for (let i = 1; i < 4; i++) expect(got.get(`domain-lifecycle-${i}`)).toEqual(lines);
    for (const family of ["network", "pool"]) {
      const first = got.get(`${family}-0`)!;
      expect(first).toHaveLength(1);
      expect(first[0]).toMatch(new RegExp(`^event 'lifecycle' for \\S+( pool)? '?${name}'?: Defined$`));
      for (let i = 1; i < 3; i++) expect(got.get(`${family}-${i}`)).toEqual(first);
    }
    for (const key of ["domain-reboot", "domain-rtc-change", "nodedev", "nodedev-update"]) expect(got.get(key), key).toEqual([]);
    await until("virsh's lines", () => virshOut.split("\n").filter((l) => l.includes(name)).length >= 2, 10_000);
    expect(virshOut.split("\n").filter((l) => l.includes(name))).toEqual(lines);
    reference.kill();
    for (const s of subs) await s.close();
    expect(test.events.registrationCount + qemu.events.registrationCount).toBe(0);
    await run("virsh", ["-q", "-c", d.uris.testTcp, "destroy", name]);
    await test.close();
    await qemu.close();
  });

  it("in-flight calls fail, never silently retried", async () => {
    const c = await connect(d.uris.testTcp, { reconnect: { initialDelay: 50, maxDelay: 200 } });
    const lost = new Promise<DisconnectInfo>((r) => c.once("disconnect", r));
    const back = reconnected(c);
    // A stopped daemon cannot answer: the call is surely in flight when it dies.
    d.signal("SIGSTOP");
    const name = uniqueName("inflight");
    const inFlight = c.domainDefineXml({ xml: `<domain type='test'><name>${name}</name><memory>8192</memory><os><type>hvm</type></os></domain>` }).then(
      () => "defined",
      (e: unknown) => e,
    );
    await sleep(200);
    d.signal("SIGKILL");
    await d.restart();
    const info = await lost;
    expect(info.error).toBeInstanceOf(ConnectionClosedError);
    expect(await inFlight).toBe(info.error);
    await back;
    // Not sent again on the new connection: the restarted daemon (the test driver keeps nothing across restarts) has no such domain.
    await expect(c.domainLookupByName({ name })).rejects.toMatchObject({ code: "VIR_ERR_NO_DOMAIN" });
    expect(await virshFails(d.uris.testTcp, "dominfo", name)).toMatchObject({ code: 1 });
    await c.close();
  });

  it("a call made while the daemon is down waits for it, within its timeout", async () => {
    const c = await connect(d.uris.testTcp, { reconnect: { initialDelay: 50, maxDelay: 200 } });
    const down = new Promise((r) => c.once("disconnect", r));
    d.signal("SIGKILL");
    await down;
    const waiting = c.connectGetHostname({ timeout: 60_000 });
    const short = c.connectGetHostname({ timeout: 1 }).catch((e: Error) => e.name);
    await d.restart();
    expect((await waiting).hostname).toBe((await virsh(d.uris.testTcp, "hostname")).trim());
    expect(await short).toBe("TimeoutError");
    await c.close();
  });

  it("a subscription, a waiter and a volume download started while the daemon is down wait for it, then work", async () => {
    // A volume in a persistent, autostarted pool of the QEMU session daemon: there again after the restart.
    const dir = await mkdtemp(join(tmpdir(), "lr-rc-pool-"));
    const content = randomBytes(256 * 1024);
    await writeFile(join(dir, "vol.img"), content);
    // The throwaway daemon runs as another user.
    await chmod(dir, 0o777);
    await chmod(join(dir, "vol.img"), 0o666);
    const setup = await connect(d.uris.qemuUnix);
    const { pool } = await setup.storagePoolDefineXml({ xml: `<pool type='dir'><name>${uniqueName("rcpool")}</name><target><path>${dir}</path></target></pool>`, flags: 0 });
    await setup.storagePoolCreate({ pool, flags: 0 });
    await setup.storagePoolSetAutostart({ pool, autostart: 1 });
    const { vol } = await setup.storageVolLookupByName({ pool, name: "vol.img" });
    await setup.close();

    const c = await connect(d.uris.qemuUnix, { reconnect: { initialDelay: 50, maxDelay: 200 } });
    const down = new Promise((r) => c.once("disconnect", r));
    d.signal("SIGKILL");
    await down;
    const seen: string[] = [];
    const subscribed = c.events.subscribe("storagePool", "lifecycle", (e) => void seen.push(e.data.pool.name));
    const waiter = c.events.waitFor("storagePool", "lifecycle", { timeout: 60_000 });
    const download = c.storageVolDownload({ vol, offset: 0n, length: 0n, flags: 0 }, { timeout: 60_000 });
    // An event stream left before the daemon is back: leaving does not wait for it.
    const abandoned = c.events.stream("domain", "reboot");
    const t0 = Date.now();
    await abandoned.return();
    expect(Date.now() - t0).toBeLessThan(10_000); // generous: it returns at once
    await sleep(300); // nothing of this may fail while the daemon is away
    expect(c.isReconnecting).toBe(true);
    await d.restart();
    const sub = await subscribed;
    await waiter.ready;
    const chunks: Buffer[] = [];
    for await (const chunk of await download) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).equals(content)).toBe(true);
    const other = uniqueName("rcpool2");
    await virshIn(d.uris.qemuUnix, "pool-define", `<pool type='dir'><name>${other}</name><target><path>${dir}/other</path></target></pool>`);
    expect((await waiter).data.pool.name).toBe(other);
    await until("the subscription's event", () => seen.includes(other));
    await sub.close();
    // The abandoned stream registered on the new connection and left again, in the background.
    await until("registrations gone", () => c.events.registrationCount === 0);
    await run("virsh", ["-q", "-c", d.uris.qemuUnix, "pool-undefine", other]);
    await c.storagePoolDestroy({ pool });
    await c.storagePoolUndefine({ pool });
    await c.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("with whileDisconnected: fail, a subscription or a download started while the daemon is down fails at once", async () => {
    const c = await connect(d.uris.testTcp, { reconnect: { initialDelay: 50, maxDelay: 200, whileDisconnected: "fail" } });
    const down = new Promise((r) => c.once("disconnect", r));
    d.signal("SIGKILL");
    await down;
    await expect(c.events.subscribe("domain", "lifecycle", () => {})).rejects.toBeInstanceOf(ConnectionClosedError);
    await expect(c.domainScreenshot({ dom: { name: "test", uuid: new Uint8Array(16), id: 1 }, screen: 0, flags: 0 })).rejects.toBeInstanceOf(ConnectionClosedError);
    const back = reconnected(c);
    await d.restart();
    await back;
    const sub = await c.events.subscribe("domain", "lifecycle", () => {});
    await sub.close();
    await c.close();
  });

  it("gives up after maxAttempts, and close() stops reconnecting", async () => {
    const c = await connect(d.uris.testTcp, { reconnect: { initialDelay: 20, maxDelay: 40, maxAttempts: 3, whileDisconnected: "fail" } });
    const closed = c.closed;
    d.signal("SIGSTOP");
    d.signal("SIGKILL");
    const info = await closed;
    expect(info.error.message).toMatch(/gave up reconnecting after 3 attempts/);
    await expect(c.connectGetHostname()).rejects.toBeInstanceOf(ConnectionClosedError);
    await d.restart();
    const c2 = await connect(d.uris.testTcp, { reconnect: { initialDelay: 10_000 } });
    const down = new Promise((r) => c2.once("disconnect", r));
    await d.restart();
    await down;
    expect(c2.isReconnecting).toBe(true);
    await c2.close();
    expect(c2.isClosed).toBe(true);
    expect((await c2.closed).reason).toBe("client");
  });

  it("a daemon restarted to refuse our credentials ends the reconnect with its error: every failed attempt seen, with its reason; waiting calls reject", async () => {
    const root = await mkdtemp(join(tmpdir(), "lr-rc-sasl-"));
    await chmod(root, 0o755);
    const sasl = await makeSaslConfig(join(root, "sasl"), { alice: "the-right-one" });
    // No authentication at first; SASL (DIGEST-MD5) after the restart, which refuses our password.
    const refusing = await startDaemon({ env: { SASL_CONF_PATH: sasl.confPath } });
    try {
      const c = await connect(refusing.uris.testTcp, { auth: { username: "alice", password: "a-wrong-one" }, reconnect: { initialDelay: 50, maxDelay: 200 } });
      expect(c.auth?.scheme).toBe("none");
      const failures: ReconnectFailedInfo[] = [];
      c.on("reconnectFailed", (f) => void failures.push(f));
      const lost = new Promise((r) => c.once("disconnect", r));
      refusing.signal("SIGKILL");
      await lost;
      // No timeout: before, this waited for ever.
      const waiting = c.connectGetHostname().then(
        () => null,
        (e: unknown) => e,
      );
      await until("attempts refused while the daemon is away", () => failures.length >= 2);
      expect(c.isReconnecting).toBe(true);
      const conf = join(refusing.dir, "libvirtd.conf");
      await writeFile(conf, (await readFile(conf, "utf8")).replace('auth_tcp = "none"', 'auth_tcp = "sasl"'));
      await refusing.restart();
      // A generous bound: before, it went on dialling for ever.
      const info = await Promise.race([c.closed, sleep(60_000).then(() => Promise.reject(new Error("still reconnecting after 60 s")))]);
      const last = failures.at(-1)!;
      expect(last.permanent).toBe(true);
      expect(last.retryIn).toBeNull();
      expect(last.error).toBeInstanceOf(LibvirtError);
      expect((last.error as LibvirtError).code).toBe("VIR_ERR_AUTH_FAILED");
      const away = failures.slice(0, -1);
      expect(away.length).toBeGreaterThanOrEqual(2);
      for (const f of away) {
        expect(f.permanent).toBe(false);
        // A dial refused while the daemon is away: a ConnectError, which retrying may cure.
        expect(f.error).toBeInstanceOf(ConnectError);
        expect((f.error as ConnectError).code).toBe("ERR_CONNECT");
        expect(f.error.message).toMatch(/Connection refused/);
      }
      expect(failures.map((f) => f.attempt)).toEqual(failures.map((_, i) => i + 1));
      expect(info.error).toBeInstanceOf(ConnectionClosedError);
      expect(info.error.cause).toBe(last.error);
      expect(info.error.message).toMatch(/retrying cannot cure this.*authentication failed/);
      expect(await waiting).toBe(info.error);
      expect(c.isClosed).toBe(true);
      // virsh, with the same wrong password, is refused by the same daemon the same way.
      await writeFile(join(root, "auth.conf"), "[credentials-t]\nauthname=alice\npassword=a-wrong-one\n[auth-libvirt-127.0.0.1]\ncredentials=t\n");
      const theirs = await run("virsh", ["-c", refusing.uris.testTcp, "hostname"], { env: { ...process.env, LIBVIRT_AUTH_FILE: join(root, "auth.conf") } }).catch((e: { stderr: string }) => e);
      expect((theirs as { stderr: string }).stderr).toMatch(/authentication failed/);
    } finally {
      await refusing.stop();
      await rm(root, { recursive: true, force: true });
    }
  });

  it("a SIGSTOPped daemon is found dead by keepalive, and the client comes back after SIGCONT", async () => {
    const c = await connect(d.uris.testTcp, { keepalive: { interval: 1, count: 2 }, reconnect: { initialDelay: 50, maxDelay: 200 } });
    const t0 = Date.now();
    const lost = new Promise<string>((r) => c.once("disconnect", (i) => r(i.reason)));
    d.signal("SIGSTOP");
    expect(await lost).toBe("keepalive");
    const detected = Date.now() - t0;
    const back = reconnected(c);
    d.signal("SIGCONT");
    await back;
    console.log(`keepalive 1 s x 2: detected after ${detected} ms`);
    expect(detected).toBeLessThan(15_000);
    expect((await c.connectGetHostname()).hostname).toBe((await virsh(d.uris.testTcp, "hostname")).trim());
    await c.close();
  });

  it(`restart cycles leave no fds, timers or registrations behind`, async () => {
    const cycles = Number(process.env["RECONNECT_CYCLES"] ?? 5);
    const c = await connect(d.uris.testTcp, { reconnect: { initialDelay: 20, maxDelay: 200 } });
    const subs = await Promise.all([c.events.subscribe("domain", "lifecycle", () => {}), c.events.subscribe("network", "lifecycle", () => {})]);
    const fd0 = fds();
    const handles0 = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles().length;
    const live: number[] = [];
    const downtime: number[] = [];
    for (let i = 0; i < cycles; i++) {
      const back = reconnected(c);
      await d.restart();
      const at = Date.now();
      downtime.push((await back).downtime);
      await until("registrations", () => c.events.registrationCount === 2);
      live.push(Date.now() - at);
    }
    live.sort((a, b) => a - b);
    downtime.sort((a, b) => a - b);
    console.log(`${cycles} cycles: median downtime (kill to reconnected) ${downtime[downtime.length >> 1]} ms, max ${downtime[downtime.length - 1]} ms`);
    await sleep(200); // destroyed sockets release their fds on a later tick
    console.log(`${cycles} kill/restart cycles: median ${live[live.length >> 1]} ms from the daemon back to subscriptions live (max ${live[live.length - 1]} ms)`);
    expect(fds()).toBeLessThanOrEqual(fd0);
    expect((process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles().length).toBeLessThanOrEqual(handles0);
    for (const s of subs) await s.close();
    expect(c.events.registrationCount).toBe(0);
    await c.close();
  });
});
