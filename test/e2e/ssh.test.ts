import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync, readlinkSync, statSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type Client } from "../../src/client/client.js";
import type { CredentialRequest } from "../../src/auth/credentials.js";
import { AbortError, ConnectionClosedError, TransportError } from "../../src/rpc/errors.js";
import { startSshd, type ThrowawaySshd } from "../../src/testing/sshd.js";
import { sharedDaemon, uniqueName, virsh } from "./daemon.js";
import { mustSkip } from "./prerequisites.js";
import { readFixture } from "../../src/recording/format.js";
import { Recorder } from "../../src/recording/recorder.js";
import { ReplayTransport } from "../../src/recording/replay.js";

const run = promisify(execFile);
const daemon = sharedDaemon();
const skip = mustSkip("the SSH suite", {
  "libvirtd": daemon !== null,
  "/usr/sbin/sshd": existsSync("/usr/sbin/sshd"),
  "root (sshd runs from a private config and logs in as root)": process.getuid?.() === 0,
});

/** Our children (ssh, ext commands) still alive or unreaped, from /proc; sshd is ours too and is left out. */
function children(except: number[] = []): { pid: number; state: string; cmd: string }[] {
  const out: { pid: number; state: string; cmd: string }[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // The command name is parenthesised and may hold spaces: fields follow the last ')'.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[1]) === process.pid && !except.includes(Number(entry))) out.push({ pid: Number(entry), state: fields[0]!, cmd: stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")) });
    } catch {
      // Gone while listing.
    }
  }
  return out;
}

function fdCount(): number {
  return readdirSync("/proc/self/fd").length;
}

function fds(): string[] {
  return readdirSync("/proc/self/fd").map((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      return "?";
    }
  });
}

/** Waits until `check` holds, for things that settle a moment after close (the kernel closing fds). */
async function eventually(check: () => boolean, ms = 5000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

/** virsh's domain names, read twice around ours so that other test files' domains cannot make it flaky. */
async function sameNames(uri: string, conn: Client): Promise<void> {
  for (let i = 0; ; i++) {
    const before = (await virsh(uri, "list", "--all", "--name")).split("\n").filter((l) => l !== "").sort();
    const { domains } = await conn.connectListAllDomains({ need_results: 1, flags: 0 });
    const after = (await virsh(uri, "list", "--all", "--name")).split("\n").filter((l) => l !== "").sort();
    if (before.join() !== after.join() && i < 5) continue;
    expect(domains.map((d) => d.name).sort()).toEqual(after);
    expect(after).toContain("test");
    return;
  }
}

describe.skipIf(skip)("SSH and ext transports against a real sshd and the shared daemon", () => {
  let sshd: ThrowawaySshd;
  let dir: string;
  const d = daemon!;
  /** The daemon's hostname as virsh prints it: what every transport below must get. */
  const hostname = async (): Promise<string> => (await virsh(d.uris.testUnix, "hostname")).trim();

  beforeAll(async () => {
    // The daemon's user, for the password user of the in-process test (so it can reach the daemon's socket).
    const { uid, gid } = statSync(d.socket);
    sshd = await startSshd({ libvirtRunDir: dirname(d.socket), passwordUser: { uid, gid } });
    dir = await mkdtemp(join(tmpdir(), "lr-ssh-"));
  });
  afterAll(async () => {
    await sshd?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  const base = (): string => `root@127.0.0.1:${sshd.port}/default`;
  const sshUri = (extra = ""): string => `test+ssh://${base()}?command=${sshd.ssh}&keyfile=${sshd.clientKey}&no_tty=1${extra}`;
  const libsshUri = (kind: "libssh2" | "libssh", extra = ""): string =>
    `test+${kind}://${base()}?keyfile=${sshd.clientKey}&known_hosts=${sshd.knownHosts}&sshauth=privkey${extra}`;

  it("+ssh in every proxy mode and +libssh2/+libssh: calls, and the same domains as virsh over the same URI", async () => {
    const modes: [string, string][] = [
      // auto: virt-ssh-helper exists on the "remote" host, so it is used.
      ["ssh auto", sshUri()],
      ["ssh netcat", sshUri("&proxy=netcat")],
      ["ssh native", sshUri("&proxy=native")],
      ["ssh socket=", sshUri(`&socket=${d.socket}`)],
      ["libssh2", libsshUri("libssh2")],
      ["libssh", libsshUri("libssh")],
    ];
    for (const [label, uri] of modes) {
      const started = performance.now();
      const conn = await connect(uri);
      const connectMs = performance.now() - started;
      try {
        // virsh over the very same URI.
        expect((await conn.connectGetHostname()).hostname, label).toBe((await virsh(uri, "hostname")).trim());
        await sameNames(uri, conn);
        console.log(`${label}: connected in ${connectMs.toFixed(0)} ms`);
      } finally {
        await conn.close();
      }
    }
  });

  it("events over +ssh (native) and +libssh2", async () => {
    for (const uri of [sshUri("&proxy=native"), libsshUri("libssh2")]) {
      const conn = await connect(uri);
      try {
        const name = uniqueName("ssh-ev");
        const seen: number[] = [];
        const got = new Promise<void>((resolve) => {
          void conn.events
            .subscribe("domain", "lifecycle", (e) => {
              if (e.data.dom.name !== name) return;
              seen.push(e.data.event);
              if (seen.length === 2) resolve();
            })
            .then((sub) => conn.closed.then(() => sub.close()));
        });
        // Let the registration reach the daemon before acting.
        await new Promise((r) => setTimeout(r, 100));
        const xml = join(dir, `${name}.xml`);
        await writeFile(xml, `<domain type='test'><name>${name}</name><memory>8192</memory><os><type>hvm</type></os></domain>`);
        await virsh(uri, "define", xml);
        await virsh(uri, "start", name);
        await got;
        // VIR_DOMAIN_EVENT_DEFINED, then VIR_DOMAIN_EVENT_STARTED.
        expect(seen).toEqual([0, 2]);
        await virsh(uri, "destroy", name);
        await virsh(uri, "undefine", name);
      } finally {
        await conn.close();
      }
    }
  });

  it("+ssh failures carry ssh's own words: wrong key, unknown host, missing nc", async () => {
    const failure = async (uri: string): Promise<ConnectionClosedError> => {
      const started = performance.now();
      const err = await connect(uri).then(
        (c) => {
          void c.close();
          throw new Error(`${uri} connected`);
        },
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ConnectionClosedError);
      const closed = err as ConnectionClosedError;
      expect(closed.reason).toBe("error");
      expect(closed.cause).toBeInstanceOf(TransportError);
      console.log(`${(performance.now() - started).toFixed(0)} ms: ${closed.message}`);
      return closed;
    };
    const wrongKey = await failure(`test+ssh://${base()}?command=${sshd.ssh}&keyfile=${sshd.wrongKey}&no_tty=1`);
    // This sshd also takes passwords (for the password user), so it offers both.
    expect(wrongKey.message).toMatch(/root@127\.0\.0\.1: Permission denied \(publickey,password\)\. \(ssh exited with status 255\)/);
    expect((wrongKey.cause as TransportError).stderr).toContain("Permission denied");

    const unknown = `test+ssh://${base()}?command=${sshd.sshUnknownHost}&keyfile=${sshd.clientKey}&no_tty=1`;
    expect((await failure(unknown)).message).toMatch(/Host key verification failed\. \(ssh-unknown-host exited with status 255\)/);
    const accepted = await connect(`${unknown}&no_verify=1`);
    expect((await accepted.connectGetHostname()).hostname).toBe(await hostname());
    await accepted.close();

    const noNc = await failure(sshUri("&netcat=/nonexistent/nc"));
    expect(noNc.message).toMatch(/\/nonexistent\/nc: not found \(ssh exited with status 127\)/);
  });

  it("+libssh2 host keys: unknown fails, ignore and auto connect (auto records it), a changed key always fails", async () => {
    const known = join(dir, "known_hosts");
    await writeFile(known, "");
    const uri = (verify: string): string =>
      `test+libssh2://${base()}?keyfile=${sshd.clientKey}&sshauth=privkey&known_hosts=${known}${verify === "" ? "" : `&known_hosts_verify=${verify}`}`;
    const unknown = await connect(uri("")).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(TransportError);
    expect((unknown as Error).message).toMatch(new RegExp(`is not in '${known}'`));
    // libvirt reads no_verify= only for TLS and +ssh; its libssh2 transport checks host keys regardless.
    expect(await connect(`${uri("")}&no_verify=1`).catch((e: unknown) => e)).toBeInstanceOf(TransportError);

    // In "normal" mode a credentials callback is asked, as libvirt asks its auth callback.
    const asked: CredentialRequest[] = [];
    const refused = await connect(uri(""), { auth: { callback: (r) => (asked.push(...r), r.map(() => "n")) } }).catch((e: unknown) => e);
    expect((refused as Error).message).toMatch(/was not accepted/);
    expect(asked).toMatchObject([{ type: "echoprompt", prompt: expect.stringMatching(/^Accept SSH host key with hash '([0-9A-F]{2}:){15}[0-9A-F]{2}' for host '127\.0\.0\.1:\d+' \(y\/n\)\?$/) }]);

    for (const verify of ["ignore", "auto"]) {
      const conn = await connect(uri(verify));
      await conn.connectGetHostname();
      await conn.close();
    }
    expect(await readFile(known, "utf8")).toBe(`[127.0.0.1]:${sshd.port} ${sshd.hostKey} added by libvirt ssh transport\n`);
    // Now known: normal mode connects.
    await (await connect(uri(""))).close();

    const otherKey = (await readFile(`${sshd.wrongKey}.pub`, "utf8")).split(" ").slice(0, 2).join(" ");
    await writeFile(known, `[127.0.0.1]:${sshd.port} ${otherKey}\n`);
    for (const verify of ["", "auto"]) {
      const changed = await connect(uri(verify)).catch((e: unknown) => e);
      expect((changed as Error).message).toMatch(new RegExp(`differs from the one stored in '${known}' line 1`));
    }
  });

  it("+libssh2 authentication: a wrong key lists what was tried; a password through the credentials callback", async () => {
    const wrong = await connect(`test+libssh2://${base()}?keyfile=${sshd.wrongKey}&known_hosts=${sshd.knownHosts}`, { auth: {} }).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(TransportError);
    expect((wrong as Error).message).toMatch(
      /SSH authentication as 'root' .* failed: permission denied; tried agent, privkey, password, keyboard-interactive \(server offers publickey, password\): agent: [^;]*; privkey '.*wrong_key': rejected by the server; password: no password given .*; keyboard-interactive: not offered by the server$/,
    );

    const { user, password } = sshd.password!;
    const uri = `test+libssh2://${user}@127.0.0.1:${sshd.port}/default?known_hosts=${sshd.knownHosts}&sshauth=password&socket=${d.socket}`;
    const asked: CredentialRequest[] = [];
    const conn = await connect(uri, { auth: { callback: (requests) => (asked.push(...requests), requests.map(() => password)) } });
    expect(asked).toEqual([{ type: "passphrase", prompt: `Enter ${user}'s password for 127.0.0.1` }]);
    // virsh reads the same password from an auth file, where libvirt's ssh password lookup finds it.
    const authFile = join(dir, "auth.conf");
    await writeFile(authFile, `[credentials-pw]\npassword=${password}\n\n[auth-ssh-127.0.0.1]\ncredentials=pw\n`);
    const { stdout } = await run("virsh", ["-c", uri, "list", "--all", "--name"], { env: { ...process.env, LIBVIRT_AUTH_FILE: authFile }, timeout: 20_000 });
    const { domains } = await conn.connectListAllDomains({ need_results: 1, flags: 0 });
    expect(domains.map((x) => x.name)).toContain("test");
    expect(stdout.split("\n")).toContain("test");
    await conn.close();

    let tries = 0;
    const bad = await connect(uri, { auth: { callback: (r) => (tries++, r.map(() => "not the password")) } }).catch((e: unknown) => e);
    expect((bad as Error).message).toMatch(/password: rejected by the server/);
    expect(tries).toBe(3);
  });

  it("+libssh2 through ssh-agent, the first of libvirt's methods", async () => {
    const socket = join(dir, "agent.sock");
    const { stdout } = await run("ssh-agent", ["-a", socket, "-s"]);
    const pid = Number(/SSH_AGENT_PID=(\d+)/.exec(stdout)?.[1]);
    const saved = process.env["SSH_AUTH_SOCK"];
    try {
      await run("ssh-add", ["-q", sshd.clientKey], { env: { ...process.env, SSH_AUTH_SOCK: socket } });
      process.env["SSH_AUTH_SOCK"] = socket;
      // sshauth=agent: the key is only in the agent.
      const conn = await connect(`test+libssh2://${base()}?known_hosts=${sshd.knownHosts}&sshauth=agent`);
      expect((await conn.connectGetHostname()).hostname).toBe(await hostname());
      await conn.close();
    } finally {
      if (saved === undefined) delete process.env["SSH_AUTH_SOCK"];
      else process.env["SSH_AUTH_SOCK"] = saved;
      if (pid > 0) process.kill(pid);
    }
  });

  it("recordings made over +ssh and +libssh2 hold plaintext frames that replay", async () => {
    for (const uri of [sshUri("&proxy=netcat"), libsshUri("libssh2")]) {
      const recorder = new Recorder({ uri });
      const conn = await connect(uri, { record: recorder, keepalive: false });
      const live = [await conn.connectGetHostname(), await conn.connectGetLibVersion()];
      await conn.close();
      expect(recorder.frames.map((f) => f.procedure)).toContain("REMOTE_PROC_CONNECT_GET_HOSTNAME");
      const replay = new ReplayTransport(readFixture(recorder.toString()));
      const again = await connect(uri, { transport: replay, keepalive: false });
      expect([await again.connectGetHostname(), await again.connectGetLibVersion()]).toEqual(live);
      await again.close();
      replay.assertDone();
    }
  });

  it("+ext: command= running nc -U to the daemon's socket", async () => {
    const script = join(dir, "to-daemon");
    await writeFile(script, `#!/bin/sh\nexec nc -U ${d.socket}\n`, { mode: 0o755 });
    const uri = `test+ext:///default?command=${script}`;
    const conn = await connect(uri);
    expect((await conn.connectGetHostname()).hostname).toBe((await virsh(uri, "hostname")).trim());
    await sameNames(uri, conn);
    await conn.close();
    const gone = await connect(`test+ext:///default?command=${join(dir, "missing")}`).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(TransportError);
    expect((gone as Error).message).toMatch(/cannot run .*missing: spawn .* ENOENT/);
  });

  it("destroy and abort stop the ssh process; nothing is left", async () => {
    const conn = await connect(sshUri());
    const ssh = children([sshd.pid]).filter((c) => c.cmd === "ssh");
    expect(ssh.length).toBe(1);
    conn.destroy();
    await conn.closed;
    if (!(await eventually(() => children([sshd.pid]).length === 0))) console.log("left:", children([sshd.pid]));
    expect(children([sshd.pid])).toEqual([]);

    const controller = new AbortController();
    const pending = connect(sshUri(), { signal: controller.signal });
    setTimeout(() => controller.abort(), 5);
    const err = await pending.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbortError);
    if (!(await eventually(() => children([sshd.pid]).length === 0))) console.log("left:", children([sshd.pid]));
    expect(children([sshd.pid])).toEqual([]);
  });

  it("+libssh2 to a peer that falls silent: destroy() still closes, and the TCP connection is gone", { timeout: 30_000 }, async () => {
    // A proxy that stops forwarding and never closes its side: a peer lost without a FIN or RST.
    const { createServer, createConnection } = await import("node:net");
    const sockets: import("node:net").Socket[] = [];
    let frozen = false;
    const proxy = createServer({ allowHalfOpen: true }, (inbound) => {
      const outbound = createConnection({ host: "127.0.0.1", port: sshd.port, allowHalfOpen: true });
      sockets.push(inbound, outbound);
      for (const s of [inbound, outbound]) s.on("error", () => {});
      inbound.on("data", (b) => void (frozen || outbound.write(b)));
      outbound.on("data", (b) => void (frozen || inbound.write(b)));
    });
    await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
    const port = (proxy.address() as import("node:net").AddressInfo).port;
    const known = join(dir, "known_hosts_proxy");
    await writeFile(known, `[127.0.0.1]:${port} ${sshd.hostKey}\n`);
    try {
      const conn = await connect(`test+libssh2://root@127.0.0.1:${port}/default?keyfile=${sshd.clientKey}&sshauth=privkey&known_hosts=${known}`);
      await conn.connectGetHostname();
      frozen = true;
      conn.destroy();
      const outcome = await Promise.race([conn.closed.then(() => "closed"), new Promise((r) => setTimeout(() => r("still open after 10 s"), 10_000))]);
      expect(outcome).toBe("closed");
      // The client's socket is destroyed, not left half-closed waiting for the silent peer: no fd of ours holds it.
      const ours = (): string[] => {
        const fdsNow = new Set(fds());
        return readFileSync("/proc/net/tcp", "utf8")
          .split("\n")
          .slice(1)
          .map((l) => l.trim().split(/\s+/))
          .filter((f) => f.length > 9 && f[2]!.endsWith(`:${port.toString(16).toUpperCase().padStart(4, "0")}`) && fdsNow.has(`socket:[${f[9]}]`))
          .map((f) => f.join(" "));
      };
      if (!(await eventually(() => ours().length === 0, 5_000))) console.log("still held:", ours());
      expect(ours()).toEqual([]);
    } finally {
      for (const s of sockets) s.destroy();
      proxy.close();
    }
  });

  // npm test runs 20 of each (a leak of one fd or process per cycle shows as 20); SSH_CYCLES=1000 for the
  // full figure (about 5 minutes here). The time limit is a safety bound: a connect takes about 0.7 s on a
  // quiet machine and several seconds on a loaded one (SSH's key exchange is CPU work).
  const cycles = Number(process.env["SSH_CYCLES"] ?? 20);
  it("connect/close cycles leave no ssh process and no fd behind", { timeout: 120_000 + cycles * 2 * 5_000 }, async () => {
    // Warm up once so that lazily opened fds (the event loop's, module loading) are in the baseline.
    await (await connect(sshUri("&proxy=netcat"))).close();
    await (await connect(libsshUri("libssh2"))).close();
    await eventually(() => children([sshd.pid]).length === 0);
    const baseline = fdCount();
    for (const [label, uri] of [["ssh", sshUri("&proxy=netcat")], ["libssh2", libsshUri("libssh2")]] as const) {
      const started = performance.now();
      for (let i = 0; i < cycles; i++) {
        const conn = await connect(uri);
        await conn.close();
      }
      const ms = performance.now() - started;
      console.log(`${label}: ${cycles} connect/close cycles in ${ms.toFixed(0)} ms (${(ms / cycles).toFixed(1)} ms each)`);
    }
    if (!(await eventually(() => children([sshd.pid]).length === 0))) console.log("left:", children([sshd.pid]));
    expect(children([sshd.pid])).toEqual([]);
    const settled = await eventually(() => fdCount() <= baseline);
    console.log(`fds: ${baseline} before, ${fdCount()} after; children left: ${children([sshd.pid]).length}`);
    if (!settled) console.log(fds());
    expect(fdCount()).toBeLessThanOrEqual(baseline);
  });
});
