import { execFile, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mustSkip } from "./prerequisites.js";

/**
 * AUTH_POLKIT against a real polkitd on a private system D-Bus, and a real
 * libvirtd in system mode (root) whose read-write socket asks polkit. The
 * daemons run in a private mount namespace so that nothing on the machine
 * changes: polkit's rules and actions folders, /etc/libvirt, /etc/passwd
 * (libvirtd's QEMU driver wants a libvirt-qemu user) and libvirt's state
 * folders are bind-mounted over from the test's directory.
 */
const canRun = !mustSkip("the polkit suite", {
  "root (libvirtd in system mode)": process.getuid?.() === 0,
  "/usr/lib/polkit-1/polkitd": existsSync("/usr/lib/polkit-1/polkitd"),
  "/usr/bin/dbus-daemon": existsSync("/usr/bin/dbus-daemon"),
  "/usr/sbin/libvirtd": existsSync("/usr/sbin/libvirtd"),
  "a private mount namespace (unshare -m)": spawnSync("unshare", ["-m", "true"]).status === 0,
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!canRun)("polkit against a real polkitd and system bus", () => {
  let dir: string;
  const children: ChildProcess[] = [];
  let socket: string;
  let env: NodeJS.ProcessEnv;

  const rules = (verdict: "YES" | "NO" | null): void => {
    const file = join(dir, "rules", "50-libvirt-test.rules");
    if (verdict === null) rmSync(file, { force: true });
    else writeFileSync(file, `polkit.addRule(function(action, subject) {\n  if (action.id == "org.libvirt.unix.manage" && subject.user == "nobody") return polkit.Result.${verdict};\n});\n`);
  };
  /** polkitd re-reads its rules when the folder changes; wait until it says so. */
  const reloaded = async (count: number): Promise<void> => {
    for (let i = 0; i < 800; i++) {
      // The log appears once the shell that runs polkitd has started: on a busy machine, not at once.
      const log = existsSync(join(dir, "polkitd.log")) ? readFileSync(join(dir, "polkitd.log"), "utf8") : "";
      if ((log.match(/Finished loading/g) ?? []).length >= count) return;
      await sleep(25);
    }
    throw new Error("polkitd did not reload its rules");
  };
  /** Connects as nobody from a child process; prints what connect() gave. */
  const asNobody = (): Promise<{ ok?: string; name?: string; code?: string; outcome?: string; message?: string }> =>
    new Promise((res, rej) => {
      const script = `
        const { connect } = await import(${JSON.stringify(resolve("dist/src/index.js"))});
        try {
          const c = await connect(process.argv[1], { keepalive: false });
          console.log(JSON.stringify({ ok: (await c.connectGetHostname()).hostname }));
          await c.close();
        } catch (e) {
          console.log(JSON.stringify({ name: e.name, code: e.code, outcome: e.outcome, message: e.message }));
        }`;
      execFile("runuser", ["-u", "nobody", "--", process.execPath, "--input-type=module", "-e", script, `test+unix:///default?socket=${socket}`], { env, encoding: "utf8" }, (err, stdout) =>
        err === null ? res(JSON.parse(stdout) as never) : rej(err),
      );
    });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "lr-polkit-"));
    chmodSync(dir, 0o755);
    for (const d of ["actions", "rules", "no-rules", "sock", "etc-libvirt"]) mkdirSync(join(dir, d));
    chmodSync(join(dir, "rules"), 0o755);
    const bus = join(dir, "bus");
    writeFileSync(
      join(dir, "bus.conf"),
      `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>system</type><listen>unix:path=${bus}</listen><auth>EXTERNAL</auth>
<policy context="default"><allow user="*"/><allow own="*"/><allow send_destination="*"/><allow receive_sender="*"/></policy></busconfig>\n`,
    );
    // libvirt's own policy file is in libvirt-daemon-system, not installed here: the two actions, as libvirt defines them.
    writeFileSync(
      join(dir, "actions", "org.libvirt.unix.policy"),
      `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE policyconfig PUBLIC "-//freedesktop//DTD PolicyKit Policy Configuration 1.0//EN" "http://www.freedesktop.org/standards/PolicyKit/1.0/policyconfig.dtd">
<policyconfig>
 <action id="org.libvirt.unix.monitor"><description>Monitor local virtualized systems</description><message>System policy prevents monitoring</message>
  <defaults><allow_any>yes</allow_any><allow_inactive>yes</allow_inactive><allow_active>yes</allow_active></defaults></action>
 <action id="org.libvirt.unix.manage"><description>Manage local virtualized systems</description><message>System policy prevents management</message>
  <defaults><allow_any>auth_admin_keep</allow_any><allow_inactive>auth_admin_keep</allow_inactive><allow_active>auth_admin_keep</allow_active></defaults></action>
</policyconfig>\n`,
    );
    writeFileSync(join(dir, "etc-libvirt", "qemu.conf"), 'user = "root"\ngroup = "root"\nstdio_handler = "file"\n');
    writeFileSync(join(dir, "passwd"), `${readFileSync("/etc/passwd", "utf8")}libvirt-qemu:x:64055:64055::/nonexistent:/usr/sbin/nologin\n`);
    writeFileSync(join(dir, "group"), `${readFileSync("/etc/group", "utf8")}libvirt-qemu:x:64055:\nkvm:x:64056:\n`);
    socket = join(dir, "sock", "libvirt-sock");
    writeFileSync(
      join(dir, "libvirtd.conf"),
      ["listen_tls = 0", "listen_tcp = 0", `unix_sock_dir = "${join(dir, "sock")}"`, 'unix_sock_rw_perms = "0777"', 'unix_sock_ro_perms = "0777"', 'auth_unix_rw = "polkit"', 'auth_unix_ro = "none"', ""].join("\n"),
    );
    env = { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: `unix:path=${bus}` };
    const start = (cmd: string, args: string[], log: string): ChildProcess => {
      const child = spawn("sh", ["-c", 'exec "$@" >"$0" 2>&1', join(dir, log), cmd, ...args], { env, stdio: "ignore" });
      children.push(child);
      return child;
    };
    start("dbus-daemon", [`--config-file=${join(dir, "bus.conf")}`, "--nofork", "--nopidfile"], "dbus.log");
    for (let i = 0; i < 200 && !existsSync(bus); i++) await sleep(25);
    const bind = (from: string, to: string): string => `mount --bind '${join(dir, from)}' '${to}'`;
    start("unshare", ["-m", "sh", "-c", [bind("actions", "/usr/share/polkit-1/actions"), bind("rules", "/etc/polkit-1/rules.d"), bind("no-rules", "/usr/share/polkit-1/rules.d"), "exec /usr/lib/polkit-1/polkitd"].join(" && ")], "polkitd.log");
    await reloaded(1);
    const tmpfs = ["/run/libvirt", "/var/lib/libvirt", "/var/cache/libvirt", "/var/log/libvirt"].map((d) => `mkdir -p ${d} && mount -t tmpfs none ${d}`);
    start(
      "unshare",
      ["-m", "sh", "-c", [...tmpfs, bind("etc-libvirt", "/etc/libvirt"), bind("passwd", "/etc/passwd"), bind("group", "/etc/group"), `exec /usr/sbin/libvirtd -f '${join(dir, "libvirtd.conf")}' --pid-file '${join(dir, "libvirtd.pid")}'`].join(" && ")],
      "libvirtd.log",
    );
    for (let i = 0; i < 600 && !existsSync(socket); i++) await sleep(50);
    if (!existsSync(socket)) throw new Error(`libvirtd did not start: ${readFileSync(join(dir, "libvirtd.log"), "utf8").slice(-2000)}`);
  });

  afterAll(async () => {
    for (const c of children.reverse()) if (c.exitCode === null) c.kill("SIGTERM");
    await Promise.all(children.map((c) => (c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once("exit", r)) : null)));
    rmSync(dir, { recursive: true, force: true });
  });

  it("a rule that allows nobody: AUTH_POLKIT succeeds and calls work", async () => {
    rules("YES");
    await reloaded(2);
    expect(await asNobody()).toEqual({ ok: expect.any(String) });
  });

  it("a rule that denies nobody: PolkitError 'denied' (VIR_ERR_AUTH_FAILED, access denied by policy)", async () => {
    rules("NO");
    await reloaded(3);
    expect(await asNobody()).toEqual({ name: "PolkitError", code: "VIR_ERR_AUTH_FAILED", outcome: "denied", message: "authentication failed: access denied by policy" });
  });

  it("no rule (auth_admin_keep, no agent to ask): PolkitError 'not-authorized' (VIR_ERR_AUTH_UNAVAILABLE)", async () => {
    rules(null);
    await reloaded(4);
    expect(await asNobody()).toEqual({
      name: "PolkitError",
      code: "VIR_ERR_AUTH_UNAVAILABLE",
      outcome: "not-authorized",
      message: "authentication unavailable: no polkit agent available to authenticate action 'org.libvirt.unix.manage'",
    });
  });
});
