/**
 * A throwaway libvirtd in system mode (root), for the tuning a session
 * daemon refuses (memory, CPU scheduler). It runs in a mount namespace of
 * its own (`unshare -m`) with private /run/libvirt, /var/lib/libvirt,
 * /var/cache/libvirt, /var/log/libvirt and /etc/libvirt bound over the
 * real ones, so it shares nothing with any other daemon on the machine.
 * libvirt's QEMU driver needs its `libvirt-qemu` user to exist even when
 * qemu.conf runs guests as root: a copy of /etc/passwd and /etc/group that
 * has it is bound over them in that namespace only.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { appendFile, chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort } from "../src/testing/daemon.js";

export interface SystemDaemon {
  uri: string;
  pid: number;
  stop(): Promise<void>;
}

const BINDS = [
  ["run", "/run/libvirt"],
  ["lib", "/var/lib/libvirt"],
  ["cache", "/var/cache/libvirt"],
  ["log", "/var/log/libvirt"],
  ["etc", "/etc/libvirt"],
  ["passwd", "/etc/passwd"],
  ["group", "/etc/group"],
] as const;

/** Why a system-mode daemon cannot run here, or null when it can. */
export function systemDaemonUnavailable(): string | null {
  if (process.getuid?.() !== 0) return "not root";
  if (!existsSync("/usr/bin/unshare")) return "no unshare (util-linux)";
  if (!existsSync("/usr/sbin/libvirtd")) return "no /usr/sbin/libvirtd";
  return null;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, "127.0.0.1");
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

export async function startSystemDaemon(timeoutMs = 60_000): Promise<SystemDaemon> {
  const root = await mkdtemp(join(tmpdir(), "lr-parity-system-"));
  const port = await freePort();
  for (const [dir] of BINDS.slice(0, 5)) await mkdir(join(root, dir));
  await writeFile(join(root, "etc", "libvirtd.conf"), [`listen_tls = 0`, `listen_tcp = 1`, `tcp_port = "${port}"`, `listen_addr = "127.0.0.1"`, `auth_tcp = "none"`, ""].join("\n"));
  // virtlogd is absent: QEMU's output goes to files; guests run as root without relabelling.
  await writeFile(join(root, "etc", "qemu.conf"), [`stdio_handler = "file"`, `user = "root"`, `group = "root"`, `dynamic_ownership = 0`, `security_driver = "none"`, ""].join("\n"));
  await copyFile("/etc/passwd", join(root, "passwd"));
  await copyFile("/etc/group", join(root, "group"));
  if (!/^libvirt-qemu:/m.test(await readFile("/etc/passwd", "utf8"))) {
    await appendFile(join(root, "passwd"), "libvirt-qemu:x:64055:64055:Libvirt Qemu:/var/lib/libvirt:/usr/sbin/nologin\n");
    await appendFile(join(root, "group"), "libvirt-qemu:x:64055:\n");
  }
  const script = join(root, "start.sh");
  await writeFile(
    script,
    [
      "set -e",
      "mount --make-rprivate /",
      ...BINDS.map(([from, to]) => `mkdir -p ${to} 2>/dev/null || true; mount --bind ${join(root, from)} ${to}`),
      `exec /usr/sbin/libvirtd --listen -f /etc/libvirt/libvirtd.conf -p ${join(root, "libvirtd.pid")}`,
      "",
    ].join("\n"),
  );
  await chmod(script, 0o700);
  const child = spawn("/usr/bin/unshare", ["-m", "/bin/bash", script], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
  const exited = once(child, "exit");
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(killer);
    }
    await rm(root, { recursive: true, force: true });
  };
  const deadline = Date.now() + timeoutMs;
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`system-mode libvirtd did not start: ${stderr.split("\n").filter((l) => / error : /.test(l)).slice(-3).join(" | ") || stderr.slice(-500)}`);
    }
    await sleep(200);
  }
  return { uri: `qemu+tcp://127.0.0.1:${port}/system`, pid: child.pid!, stop };
}
