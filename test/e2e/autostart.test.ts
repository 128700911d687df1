import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { daemonVersionFromEnv } from "../../src/testing/prefix.js";
import { daemonPid, runClient, sessionHome, virshAs, waitGone, type SessionHome, type WrapperOptions } from "./session-home.js";

// Session daemon autostart (issue 21, item 5), beside virsh in the same
// environment: an unprivileged user with a fresh HOME and XDG_RUNTIME_DIR
// and no daemon running. libvirt's client (virsh) starts the user's
// daemon itself; so must connect().

const installed = existsSync("/usr/sbin/libvirtd") && existsSync("/usr/bin/virsh");
const homes: SessionHome[] = [];
async function home(wrapper: WrapperOptions = {}): Promise<SessionHome> {
  const h = await sessionHome(wrapper);
  homes.push(h);
  return h;
}
afterEach(async () => {
  for (const h of homes.splice(0)) await h.dispose();
});

const sessionUri = "qemu:///session";
/** The session's libvirtd processes (the daemon may start helpers of its own later). */
const daemons = (h: SessionHome) => h.processes().filter((p) => p.cmdline[0]?.endsWith("/libvirtd"));

describe.skipIf(!installed)("qemu:///session with no daemon running, as an unprivileged user", () => {
  it("starts the user's libvirtd as virsh does (/usr/sbin/libvirtd --timeout=120, libvirt's environment), and the first call answers", async () => {
    const ours = await home();
    const outcome = await runClient(ours, sessionUri).done;
    expect(outcome).toMatchObject({ ok: true, uri: sessionUri });
    const oursPid = daemonPid(ours);
    const [oursDaemon, ...others] = daemons(ours);
    expect(others).toEqual([]);
    expect(oursDaemon?.pid).toBe(oursPid);

    const theirs = await home();
    const listed = await virshAs(theirs, {}, "-c", sessionUri, "list");
    expect(listed.code).toBe(0);
    const [theirDaemon] = daemons(theirs);
    expect(theirDaemon?.pid).toBe(daemonPid(theirs));

    expect(oursDaemon!.cmdline).toEqual(theirDaemon!.cmdline);
    expect(oursDaemon!.cmdline).toEqual(["/usr/sbin/libvirtd", "--timeout=120"]);
    // The same variables handed on (values differ by HOME only).
    expect([...oursDaemon!.environ.keys()].sort()).toEqual([...theirDaemon!.environ.keys()].sort());
    expect(oursDaemon!.environ.get("LC_ALL")).toBe("C");
  });

  it("without XDG_RUNTIME_DIR, the daemon and its socket in $XDG_CACHE_HOME/libvirt, as virsh finds them", async () => {
    const theirs = await home({ noRuntimeDir: true });
    expect((await virshAs(theirs, {}, "-c", sessionUri, "uri")).code).toBe(0);
    expect(existsSync(join(theirs.libvirtRun, "libvirt-sock"))).toBe(true);
    const ours = await home({ noRuntimeDir: true });
    expect(await runClient(ours, sessionUri, { autostart: { wait: 10_000 } }).done).toMatchObject({ ok: true, uri: sessionUri });
    expect(daemons(ours).map((d) => d.pid)).toEqual([daemonPid(ours)]);
  });

  it("two clients racing to a missing daemon start exactly one (libvirt's spawn lock), and both connect", async () => {
    // The wrapper holds the daemon back 2 s: both clients find no socket.
    const h = await home({ delay: 2 });
    const env = { LIBVIRTD_PATH: h.wrapperDir };
    const a = runClient(h, sessionUri, {}, env, true);
    const b = runClient(h, sessionUri, {}, env, true);
    await Promise.all([a.ready, b.ready]);
    a.go();
    b.go();
    const outcomes = await Promise.all([a.done, b.done]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true]);
    // The wrapper's daemon: LIBVIRT_E2E_DAEMON=11.3 runs libvirt 11.3's.
    expect(outcomes[0]!.libVersion).toBe(daemonVersionFromEnv() === "11.3" ? 11003000 : 9000000);
    expect(await h.spawns()).toHaveLength(1);
    expect(daemons(h).map((d) => d.pid)).toEqual([daemonPid(h)]);
    // libvirt removes its lock file once connected; so do we.
    expect(existsSync(join(h.libvirtRun, "libvirtd.lock"))).toBe(false);
  });

  it("virsh, two at once through the same slow daemon, also starts one", async () => {
    const h = await home({ delay: 2 });
    const env = { LIBVIRTD_PATH: h.wrapperDir };
    const results = await Promise.all([virshAs(h, env, "-c", sessionUri, "uri"), virshAs(h, env, "-c", sessionUri, "uri")]);
    expect(results.map((r) => r.code)).toEqual([0, 0]);
    expect(await h.spawns()).toHaveLength(1);
  });

  it("the started daemon exits by itself when idle past its --timeout, and the next connect starts it again", async () => {
    const h = await home();
    const env = { LIBVIRTD_PATH: h.wrapperDir };
    // libvirt has no knob for the 120 s; idleTimeout shortens it here.
    expect(await runClient(h, sessionUri, { autostart: { idleTimeout: 10 } }, env).done).toMatchObject({ ok: true });
    const pid = daemonPid(h)!;
    expect(daemons(h).find((p) => p.pid === pid)?.cmdline.slice(1)).toEqual(["--timeout=10"]);
    const idleMs = await waitGone(pid, 120_000);
    // Not at once: it waited for its idle time (10 s, of which a loaded machine may have spent a few before this started counting).
    expect(idleMs).toBeGreaterThan(1_000);
    console.log(`autostart: a daemon started with --timeout=10 exited ${idleMs} ms after its client closed`);
    expect(await runClient(h, sessionUri, {}, env).done).toMatchObject({ ok: true, uri: sessionUri });
    expect(await h.spawns()).toHaveLength(2);
  });

  it("no daemon binary: an AutostartError naming it, at once; virsh fails on the same missing socket", async () => {
    const h = await home();
    const env = { LIBVIRTD_PATH: join(h.dir, "nothing-here") };
    const outcome = await runClient(h, sessionUri, {}, env).done;
    const socket = join(h.libvirtRun, "libvirt-sock");
    expect(outcome).toMatchObject({ ok: false, name: "AutostartError", code: "ERR_CONNECT", reason: "no-daemon", daemon: join(h.dir, "nothing-here", "libvirtd"), address: socket });
    expect(outcome.message).toContain(`'${join(h.dir, "nothing-here", "libvirtd")}' does not exist`);
    const virsh = await virshAs(h, env, "-c", sessionUri, "list");
    expect(virsh.code).toBe(1);
    const words = `Failed to connect socket to '${socket}': No such file or directory`;
    expect(virsh.stderr).toContain(words);
    expect(outcome.message).toContain(words);
    expect(h.processes()).toEqual([]);
  });

  it("LIBVIRT_AUTOSTART=0 and autostart: false start nothing, and fail as virsh does", async () => {
    const h = await home();
    const off = { LIBVIRTD_PATH: h.wrapperDir, LIBVIRT_AUTOSTART: "0" };
    const virsh = await virshAs(h, off, "-c", sessionUri, "list");
    const byEnv = await runClient(h, sessionUri, {}, off).done;
    const byOption = await runClient(h, sessionUri, { autostart: false }, { LIBVIRTD_PATH: h.wrapperDir }).done;
    const words = `Failed to connect socket to '${join(h.libvirtRun, "libvirt-sock")}': No such file or directory`;
    expect(virsh.stderr).toContain(words);
    for (const outcome of [byEnv, byOption]) {
      expect(outcome).toMatchObject({ ok: false, name: "ConnectError", code: "ERR_CONNECT", message: words });
    }
    expect(await h.spawns()).toEqual([]);
  });

  it("a daemon that exits at once, or whose socket does not answer in time, is an AutostartError saying so", async () => {
    const failing = await home({ exitCode: 3 });
    const exited = await runClient(failing, sessionUri, {}, { LIBVIRTD_PATH: failing.wrapperDir }).done;
    expect(exited).toMatchObject({ ok: false, name: "AutostartError", reason: "exited" });
    expect(exited.message).toContain("was started but exited (status 3) before its socket answered");

    // The wrapper sleeps far beyond the 1 s the client waits.
    const slow = await home({ delay: 600 });
    const late = await runClient(slow, sessionUri, { autostart: { wait: 1_000 } }, { LIBVIRTD_PATH: slow.wrapperDir }).done;
    expect(late).toMatchObject({ ok: false, name: "AutostartError", reason: "not-ready" });
    expect(late.message).toContain("was started, but its socket did not answer within 1000 ms");
    expect(await slow.spawns()).toHaveLength(1);
  });
});
