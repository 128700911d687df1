import { execFile, execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { daemonVersionFromEnv, libvirt11Prefix, prefixDaemon } from "../../src/testing/prefix.js";

/**
 * A fresh unprivileged user session for autostart tests: its own HOME and
 * XDG folders in a temporary directory, no daemon running, run as `nobody`
 * when the tests run as root (libvirt starts no session daemon for root).
 * Every process started under it is found by its HOME (libvirt hands it
 * on to the daemon), so only those are killed at the end.
 */
export interface SessionHome {
  dir: string;
  /** $XDG_RUNTIME_DIR/libvirt (without it, $XDG_CACHE_HOME/libvirt): the daemon's sockets, pid file and libvirt's spawn lock. */
  libvirtRun: string;
  /** The client's environment. */
  env: Record<string, string>;
  /** With a wrapper: the folder to give as LIBVIRTD_PATH, and its log (one line per daemon start). */
  wrapperDir: string;
  spawnLog: string;
  ids: { uid: number; gid: number } | Record<string, never>;
  /** Processes running under this session (their HOME is this one's). */
  processes(): { pid: number; cmdline: string[]; environ: Map<string, string> }[];
  /** Lines of the wrapper's log: the daemons started through it. */
  spawns(): Promise<string[]>;
  /** Kills this session's processes (by pid) and removes the directory. */
  dispose(): Promise<void>;
}

const SYSTEM_DAEMON = "/usr/sbin/libvirtd";

/** The daemon behind LIBVIRTD_PATH=wrapperDir. */
export interface WrapperOptions {
  /** Seconds it sleeps before it runs libvirtd, so that racing clients all find no socket. */
  delay?: number;
  /** Exit with this status instead of running libvirtd (a daemon that cannot start). */
  exitCode?: number;
  /** No XDG_RUNTIME_DIR in the environment: GLib's runtime dir is then the cache dir. */
  noRuntimeDir?: boolean;
}

export async function sessionHome(wrapperOptions: WrapperOptions = {}): Promise<SessionHome> {
  const dir = await mkdtemp(join(tmpdir(), "lr-autostart-"));
  await chmod(dir, 0o777);
  const runtime = join(dir, "run");
  const wrapperDir = join(dir, "bin");
  const spawnLog = join(dir, "spawns.log");
  await mkdir(wrapperDir);
  await writeFile(join(wrapperDir, "libvirtd"), wrapper(spawnLog, wrapperOptions), { mode: 0o755 });
  await writeFile(spawnLog, "");
  await chmod(spawnLog, 0o666);
  const env: Record<string, string> = {
    PATH: process.env["PATH"] ?? "/usr/bin:/bin:/usr/sbin:/sbin",
    HOME: dir,
    XDG_RUNTIME_DIR: runtime,
    XDG_CONFIG_HOME: join(dir, "cfg"),
    XDG_CACHE_HOME: join(dir, "cache"),
  };
  if (wrapperOptions.noRuntimeDir === true) delete env["XDG_RUNTIME_DIR"];
  const ids = process.getuid?.() === 0 ? userIds("nobody") : {};
  const processes = (): ReturnType<SessionHome["processes"]> => {
    const found = [];
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const environ = new Map(readFileSync(`/proc/${entry}/environ`, "latin1").split("\0").filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));
        if (environ.get("HOME") !== dir) continue;
        const cmdline = readFileSync(`/proc/${entry}/cmdline`, "latin1").split("\0").filter(Boolean);
        found.push({ pid: Number(entry), cmdline, environ });
      } catch {
        // gone, or not ours to read
      }
    }
    return found;
  };
  return {
    dir,
    libvirtRun: join(wrapperOptions.noRuntimeDir === true ? join(dir, "cache") : runtime, "libvirt"),
    env,
    wrapperDir,
    spawnLog,
    ids,
    processes,
    spawns: async () => (await readFile(spawnLog, "utf8")).split("\n").filter(Boolean),
    async dispose() {
      for (const p of processes()) {
        try {
          process.kill(p.pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The daemon the wrapper runs: the system's libvirtd, or 11.3's with the environment it needs. */
function wrapper(log: string, { delay = 0, exitCode }: WrapperOptions): string {
  const unpacked = daemonVersionFromEnv() === "11.3" ? prefixDaemon(libvirt11Prefix()) : null;
  const exports = Object.entries(unpacked?.env ?? {}).map(([k, v]) => `export ${k}='${v}'\n`).join("");
  const run = exitCode === undefined ? `${exports}exec '${unpacked?.binary ?? SYSTEM_DAEMON}' "$@"` : `exit ${exitCode}`;
  return `#!/bin/sh\necho "$$ $*" >> '${log}'\nsleep ${delay}\n${run}\n`;
}

function userIds(user: string): { uid: number; gid: number } {
  const id = (flag: string): number => Number(execFileSync("id", [flag, user], { encoding: "utf8" }).trim());
  return { uid: id("-u"), gid: id("-g") };
}

export interface ChildOutcome {
  ok: boolean;
  uri?: string;
  /** The daemon's libvirt version (major * 1 000 000 + minor * 1000 + micro). */
  libVersion?: number;
  name?: string;
  code?: string;
  reason?: string;
  daemon?: string;
  address?: string;
  message?: string;
  ms: number;
}

const CHILD = join(import.meta.dirname, "autostart-child.mjs");

/** Runs autostart-child.mjs as the session's user; `barrier` holds it before connecting until `go()`. */
export function runClient(home: SessionHome, uri: string, options: object = {}, extraEnv: Record<string, string> = {}, barrier = false): { ready: Promise<void>; go(): void; done: Promise<ChildOutcome> } {
  const child = spawn(process.execPath, [CHILD, uri, JSON.stringify(options), ...(barrier ? ["--barrier"] : [])], {
    env: { ...home.env, ...extraEnv },
    cwd: home.dir,
    ...home.ids,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  let announced: () => void = () => {};
  const ready = new Promise<void>((resolve) => (announced = resolve));
  child.stdout.on("data", (b: Buffer) => {
    out += b.toString();
    if (out.startsWith("ready\n")) announced();
  });
  child.stderr.on("data", (b: Buffer) => (err += b.toString()));
  const done = new Promise<ChildOutcome>((resolve, reject) => {
    child.once("exit", (code) => {
      const line = out.split("\n").filter((l) => l.startsWith("{")).at(-1);
      if (code !== 0 || line === undefined) reject(new Error(`client exited ${code}: ${out}${err}`));
      else resolve(JSON.parse(line) as ChildOutcome);
    });
  });
  return { ready, go: () => child.stdin.write("go\n"), done };
}

/** virsh run as the session's user in its environment: exit code, stdout, stderr. */
export async function virshAs(home: SessionHome, extraEnv: Record<string, string>, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)("virsh", args, { env: { ...home.env, ...extraEnv }, cwd: home.dir, ...home.ids, encoding: "utf8" });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/** The pid in the session daemon's pid file, once it is there. */
export function daemonPid(home: SessionHome, name = "libvirtd"): number | null {
  const file = join(home.libvirtRun, `${name}.pid`);
  return existsSync(file) ? Number(readFileSync(file, "utf8").trim()) : null;
}

/** Resolves once the process is gone; rejects after `limitMs` (a safety limit, not a measurement). */
export async function waitGone(pid: number, limitMs: number): Promise<number> {
  const start = Date.now();
  while (alive(pid)) {
    if (Date.now() - start > limitMs) throw new Error(`process ${pid} still runs after ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return Date.now() - start;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    // A zombie has exited: only its parent has not reaped it yet.
    return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "latin1"));
  } catch {
    return false;
  }
}
