import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, openSync, closeSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./daemon.js";

export interface SshdOptions {
  /**
   * Shows this directory as /run/libvirt (so /var/run/libvirt too) to the
   * sessions of this sshd, through a private mount namespace: the remote
   * side then finds a throwaway daemon where libvirt looks for the system
   * daemon, as on a real host, and virt-ssh-helper and the default nc
   * socket work unchanged. Nothing outside sshd's namespace changes.
   */
  libvirtRunDir?: string;
  /**
   * Turns password authentication on for a throwaway user that shares
   * this uid and gid (give the daemon's, so that its sessions can reach
   * the daemon's socket). The user is removed by stop().
   */
  passwordUser?: { uid: number; gid: number };
  startTimeout?: number;
}

export interface ThrowawaySshd {
  pid: number;
  port: number;
  dir: string;
  /** The host key as a known_hosts key field: `ssh-ed25519 AAAA...`. */
  hostKey: string;
  /** A private key sshd accepts for any user, and one it does not. */
  clientKey: string;
  wrongKey: string;
  /** A known_hosts file that holds this sshd's host key as `[127.0.0.1]:port`. */
  knownHosts: string;
  /**
   * Wrappers for `command=`: the system ssh with no user config, agent or
   * ~/.ssh/known_hosts, so tests neither read nor change root's ~/.ssh.
   * `ssh` trusts this sshd's host key; `sshUnknownHost` knows no host.
   */
  ssh: string;
  sshUnknownHost: string;
  password: { user: string; password: string } | null;
  /** Stops sshd (by its own pid), removes the throwaway user and the directory. */
  stop(): Promise<void>;
}

/** Starts `/usr/sbin/sshd -D` (as root) on a free loopback port with keys and config of its own. */
export async function startSshd(options: SshdOptions = {}): Promise<ThrowawaySshd> {
  if (!existsSync("/usr/sbin/sshd")) throw new Error("sshd is not installed (Debian: apt-get install openssh-server)");
  const dir = await mkdtemp(join(tmpdir(), "libvirt-remote-sshd-"));
  // Readable by a non-root session user (its authorized_keys lookup).
  await chmod(dir, 0o755);
  const keygen = (file: string): void => {
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "libvirt-remote-test", "-f", file], { stdio: "ignore" });
  };
  keygen(join(dir, "host_key"));
  keygen(join(dir, "client_key"));
  keygen(join(dir, "wrong_key"));
  const hostKey = (await readFile(join(dir, "host_key.pub"), "utf8")).split(" ").slice(0, 2).join(" ");
  await writeFile(join(dir, "authorized_keys"), await readFile(join(dir, "client_key.pub")));
  const port = await freePort();
  const knownHosts = join(dir, "known_hosts");
  await writeFile(knownHosts, `[127.0.0.1]:${port} ${hostKey}\n`);

  let password: ThrowawaySshd["password"] = null;
  if (options.passwordUser !== undefined) {
    const user = `lvr${randomBytes(4).toString("hex")}`;
    const { uid, gid } = options.passwordUser;
    // -o: the same uid as the daemon's user is the point; -N: no group of its own to remove later.
    execFileSync("useradd", ["-M", "-N", "-o", "-u", String(uid), "-g", String(gid), "-d", "/nonexistent", "-s", "/bin/sh", user], { stdio: "ignore" });
    password = { user, password: randomBytes(12).toString("base64url") };
    execFileSync("chpasswd", [], { input: `${user}:${password.password}\n` });
  }

  const config = [
    `Port ${port}`,
    "ListenAddress 127.0.0.1",
    `HostKey ${join(dir, "host_key")}`,
    `PidFile ${join(dir, "sshd.pid")}`,
    `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
    `PasswordAuthentication ${password === null ? "no" : "yes"}`,
    "KbdInteractiveAuthentication no",
    "PermitRootLogin prohibit-password",
    "UsePAM no",
    "StrictModes no",
    "UseDNS no",
    "PrintMotd no",
    // Connect/close cycles and parallel test files open many connections at once.
    "MaxStartups 500:30:1000",
    "LogLevel ERROR",
  ];
  const configFile = join(dir, "sshd_config");
  await writeFile(configFile, `${config.join("\n")}\n`);

  let command: string[];
  if (options.libvirtRunDir !== undefined) {
    // A /run of its own: the privilege-separation directory sshd needs, and libvirt's socket directory.
    const run = join(dir, "run");
    await mkdir(join(run, "sshd"), { recursive: true, mode: 0o755 });
    await symlink(options.libvirtRunDir, join(run, "libvirt"));
    command = ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c", 'mount --bind "$0" /run && exec /usr/sbin/sshd -D -e -f "$1"', run, configFile];
  } else {
    await mkdir("/run/sshd", { recursive: true, mode: 0o755 });
    command = ["/usr/sbin/sshd", "-D", "-e", "-f", configFile];
  }
  const log = join(dir, "sshd.log");
  const logFd = openSync(log, "a");
  // unshare and sh exec into sshd, so the pid is sshd's own.
  const child = spawn(command[0]!, command.slice(1), { stdio: ["ignore", logFd, logFd] });
  closeSync(logFd);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  const wrapper = async (name: string, knownHostsFile: string): Promise<string> => {
    const file = join(dir, name);
    const opts = ["-F", "/dev/null", "-o", `UserKnownHostsFile=${knownHostsFile}`, "-o", "GlobalKnownHostsFile=/dev/null", "-o", "IdentityAgent=none"];
    await writeFile(file, `#!/bin/sh\nexec ssh ${opts.join(" ")} "$@"\n`, { mode: 0o755 });
    return file;
  };
  const sshd: ThrowawaySshd = {
    pid: child.pid!,
    port,
    dir,
    hostKey,
    clientKey: join(dir, "client_key"),
    wrongKey: join(dir, "wrong_key"),
    knownHosts,
    ssh: await wrapper("ssh", knownHosts),
    sshUnknownHost: await wrapper("ssh-unknown-host", "/dev/null"),
    password,
    stop: () => stop(child, exited, dir, password?.user),
  };
  try {
    await waitListening(port, exited, options.startTimeout ?? 15_000);
  } catch (e) {
    const tail = existsSync(log) ? await readFile(log, "utf8") : "";
    await sshd.stop();
    throw new Error(`sshd did not start: ${(e as Error).message}\n${tail}`);
  }
  return sshd;
}

async function waitListening(port: number, exited: Promise<void>, timeout: number): Promise<void> {
  let dead = false;
  void exited.then(() => (dead = true));
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    if (dead) throw new Error("sshd exited");
    const ok = await new Promise<boolean>((resolve) => {
      const s = createConnection({ host: "127.0.0.1", port });
      s.once("connect", () => {
        s.destroy();
        resolve(true);
      });
      s.once("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`not listening after ${timeout} ms`);
}

async function stop(child: ChildProcess, exited: Promise<void>, dir: string, user: string | undefined): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  }
  if (user !== undefined) {
    // -f: the uid is shared with the daemon's user, whose processes would otherwise make userdel refuse.
    try {
      execFileSync("userdel", ["-f", user], { stdio: "ignore" });
    } catch {
      // Already gone.
    }
  }
  await rm(dir, { recursive: true, force: true });
}
