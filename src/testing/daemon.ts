import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { daemonVersionFromEnv, libvirt11Prefix, prefixDaemon, type DaemonVersion } from "./prefix.js";

export interface DaemonOptions {
  /** libvirtd's `max_client_requests` (calls in flight per connection; libvirt's default is 5). */
  maxClientRequests?: number;
  /** libvirtd's keepalive towards its clients (libvirt's defaults: 5 s, 5). */
  keepaliveInterval?: number;
  keepaliveCount?: number;
  /** The unprivileged user to run as when started by root. */
  user?: string;
  /** Give up waiting for the daemon after this many milliseconds. */
  startTimeout?: number;
  /** Also listen for TLS on a free loopback port, with these server files. */
  tls?: DaemonTls;
  /** More libvirtd.conf lines (auth_tcp, ...), appended last; a key given here replaces the default's line. */
  extraConfig?: string[];
  /** More environment for the daemon (SASL_CONF_PATH, ...). */
  env?: Record<string, string>;
  /** Which libvirtd: the system's, or 11.3 as scripts/libvirt-11.sh unpacks it (default: $LIBVIRT_E2E_DAEMON, else the system's). */
  version?: DaemonVersion;
}

export interface DaemonTls {
  caFile: string;
  certFile: string;
  keyFile: string;
  crlFile?: string;
  /** libvirtd's tls_allowed_dn_list: glob patterns of client DNs. */
  allowedDnList?: string[];
}

export interface ThrowawayDaemon {
  pid: number;
  /** Its private state directory (XDG dirs, config, log). */
  dir: string;
  tcpPort: number;
  /** The TLS port, when started with `tls`. */
  tlsPort: number | null;
  /** The daemon's own Unix socket. */
  socket: string;
  adminSocket: string;
  uris: {
    testTcp: string;
    testUnix: string;
    qemuTcp: string;
    qemuUnix: string;
  };
  /** Stops the daemon (SIGTERM, then SIGKILL) and removes its directory. */
  stop(): Promise<void>;
  /** Sends a signal to the daemon (SIGSTOP, SIGCONT, ...). */
  signal(sig: NodeJS.Signals): void;
  /** Kills the daemon (SIGKILL by default) and starts it again on the same sockets and ports. */
  restart(sig?: NodeJS.Signals): Promise<void>;
}

/**
 * Starts an isolated, unprivileged libvirtd: session mode under a fresh
 * directory, listening on a free loopback TCP port with no auth, so runs
 * never collide and nothing on the machine changes.
 */
export async function startDaemon(options: DaemonOptions = {}): Promise<ThrowawayDaemon> {
  const unpacked = (options.version ?? daemonVersionFromEnv()) === "11.3" ? prefixDaemon(libvirt11Prefix()) : null;
  const binary = unpacked?.binary ?? ["/usr/sbin/libvirtd", "/usr/local/sbin/libvirtd"].find(existsSync);
  if (binary === undefined) throw new Error("libvirtd is not installed (Debian: apt-get install libvirt-daemon)");
  const dir = await mkdtemp(join(tmpdir(), "libvirt-remote-daemon-"));
  await chmod(dir, 0o777);
  const tcpPort = await freePort();
  const tlsPort = options.tls === undefined ? null : await freePort();
  const conf = [
    ...(options.tls === undefined ? ["listen_tls = 0"] : tlsConfig(options.tls, tlsPort!)),
    "listen_tcp = 1",
    `tcp_port = "${tcpPort}"`,
    'listen_addr = "127.0.0.1"',
    'auth_tcp = "none"',
    `max_client_requests = ${options.maxClientRequests ?? 5}`,
    `keepalive_interval = ${options.keepaliveInterval ?? 5}`,
    `keepalive_count = ${options.keepaliveCount ?? 5}`,
    // The test suites open many connections in parallel.
    "max_clients = 5000",
    "max_anonymous_clients = 1000",
    ...(options.extraConfig ?? []),
  ];
  // libvirtd takes the first of repeated keys: a default that extraConfig sets again must go.
  const key = (line: string): string => line.split("=")[0]!.trim();
  const overridden = new Set((options.extraConfig ?? []).map(key));
  const lines = conf.filter((line, i) => i >= conf.length - (options.extraConfig?.length ?? 0) || !overridden.has(key(line)));
  await writeFile(join(dir, "libvirtd.conf"), `${lines.join("\n")}\n`);
  const env = {
    PATH: process.env["PATH"] ?? "/usr/bin:/bin:/usr/sbin:/sbin",
    HOME: dir,
    XDG_RUNTIME_DIR: join(dir, "run"),
    XDG_CONFIG_HOME: join(dir, "cfg"),
    XDG_CACHE_HOME: join(dir, "cache"),
    XDG_DATA_HOME: join(dir, "data"),
    ...unpacked?.env,
    ...options.env,
  };
  const ids = process.getuid?.() === 0 ? userIds(options.user ?? "nobody") : {};
  const log = join(dir, "libvirtd.log");
  const launch = (): { child: ChildProcess; exited: Promise<number | null> } => {
    // Appending, so that a restarted daemon's log follows the first one's.
    const child = spawn("sh", ["-c", 'exec "$0" --listen -f "$1" >>"$2" 2>&1', binary, join(dir, "libvirtd.conf"), log], {
      env,
      ...ids,
      stdio: "ignore",
      detached: false,
    });
    return { child, exited: new Promise((resolve) => child.once("exit", (code) => resolve(code))) };
  };
  let { child, exited } = launch();
  const socket = join(dir, "run/libvirt/libvirt-sock");
  const daemon: ThrowawayDaemon = {
    get pid() {
      return child.pid!;
    },
    dir,
    tcpPort,
    tlsPort,
    socket,
    adminSocket: join(dir, "run/libvirt/libvirt-admin-sock"),
    uris: {
      testTcp: `test+tcp://127.0.0.1:${tcpPort}/default`,
      testUnix: `test+unix:///default?socket=${socket}`,
      qemuTcp: `qemu+tcp://127.0.0.1:${tcpPort}/session`,
      qemuUnix: `qemu+unix:///session?socket=${socket}`,
    },
    stop: () => stop(child, exited, dir),
    signal: (sig) => void child.kill(sig),
    restart: async (sig = "SIGKILL") => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGCONT");
        child.kill(sig);
        await exited;
      }
      ({ child, exited } = launch());
      await waitReady(daemon, exited, options.startTimeout ?? 30_000);
    },
  };
  try {
    await waitReady(daemon, exited, options.startTimeout ?? 30_000);
  } catch (e) {
    const tail = existsSync(log) ? (await readFile(log, "utf8")).split("\n").slice(-15).join("\n") : "";
    await daemon.stop();
    throw new Error(`libvirtd did not start: ${(e as Error).message}\n${tail}`);
  }
  return daemon;
}

function tlsConfig(tls: DaemonTls, port: number): string[] {
  return [
    "listen_tls = 1",
    `tls_port = "${port}"`,
    'auth_tls = "none"',
    `ca_file = "${tls.caFile}"`,
    `cert_file = "${tls.certFile}"`,
    `key_file = "${tls.keyFile}"`,
    ...(tls.crlFile === undefined ? [] : [`crl_file = "${tls.crlFile}"`]),
    ...(tls.allowedDnList === undefined ? [] : [`tls_allowed_dn_list = [${tls.allowedDnList.map((d) => JSON.stringify(d)).join(", ")}]`]),
  ];
}

function userIds(user: string): { uid: number; gid: number } {
  const id = (flag: string): number => Number(execFileSync("id", [flag, user], { encoding: "utf8" }).trim());
  return { uid: id("-u"), gid: id("-g") };
}

/** A TCP port on loopback that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitReady(d: ThrowawayDaemon, exited: Promise<number | null>, timeout: number): Promise<void> {
  const deadline = Date.now() + timeout;
  let dead = false;
  void exited.then(() => (dead = true));
  while (Date.now() < deadline) {
    if (dead) throw new Error("the daemon exited");
    if (existsSync(d.socket) && (await canConnect(d.tcpPort)) && (d.tlsPort === null || (await canConnect(d.tlsPort)))) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`not ready after ${timeout} ms`);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: "127.0.0.1", port });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

async function stop(child: ChildProcess, exited: Promise<number | null>, dir: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill("SIGCONT"); // a test may have stopped it
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  }
  endGuests(dir);
  await rm(dir, { recursive: true, force: true });
}

/**
 * libvirtd leaves its QEMU guests running when it exits (by design: a
 * daemon restart must not kill VMs). A test that fails before destroying
 * its guest would leave one behind for good, so the guests this daemon
 * started, known by its private directory on their command line, end with it.
 */
function endGuests(dir: string): void {
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((p) => /^\d+$/.test(p));
  } catch {
    return;
  }
  for (const pid of pids) {
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    } catch {
      continue; // gone meanwhile
    }
    if (!cmdline.includes("qemu-system")) continue;
    if (!cmdline.includes(`${dir}/`)) continue;
    try {
      process.kill(Number(pid), "SIGKILL");
    } catch {
      // Already gone.
    }
  }
}
