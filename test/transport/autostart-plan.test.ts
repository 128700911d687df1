import { describe, expect, it } from "vitest";
import { checkConnectOptions } from "../../src/client/options.js";
import { OptionError } from "../../src/rpc/errors.js";
import { autostartPlan, DEFAULT_AUTOSTART_WAIT } from "../../src/transport/autostart-plan.js";
import type { AutostartOptions } from "../../src/transport/options.js";
import { parseUri, unixSocketFor } from "../../src/uri.js";

// When and what libvirt's client starts (libvirt 9.0's remoteGetURIDaemonInfo,
// remoteGetUNIXSocket, virFileFindResourceFull, virNetSocketForkDaemon),
// for a user with XDG_RUNTIME_DIR=/r and none of the sockets present.
const USER = 1000;
const env = { XDG_RUNTIME_DIR: "/r", HOME: "/h", PATH: "/usr/bin:/bin" };

function plan(uri: string, more: NodeJS.ProcessEnv = {}, euid = USER, option?: boolean | AutostartOptions) {
  const u = parseUri(uri);
  return autostartPlan(u, unixSocketFor(u, false, { ...env, ...more }, euid), option, { ...env, ...more }, euid);
}

describe("autostartPlan: when libvirt's client starts a daemon", () => {
  it("starts libvirtd from SBINDIR with --timeout=120 for qemu:///session", () => {
    expect(plan("qemu:///session")).toEqual({
      daemon: "/usr/sbin/libvirtd",
      socket: "/r/libvirt/libvirt-sock",
      lock: "/r/libvirt/libvirtd.lock",
      idleTimeout: 120,
      wait: DEFAULT_AUTOSTART_WAIT,
      env: { LC_ALL: "C", ...env },
    });
  });

  it("for every /session URI, test+ URIs and the default URI, over the local Unix socket", () => {
    for (const uri of ["qemu:///session", "qemu+unix:///session", "vbox:///session", "test+unix:///default", ""]) {
      expect(plan(uri)?.daemon, uri).toBe("/usr/sbin/libvirtd");
    }
  });

  it("never as root, for a system URI, a remote host, another transport or a socket= given", () => {
    expect(plan("qemu:///session", {}, 0)).toBeNull();
    for (const uri of ["qemu:///system", "qemu+tcp://localhost/session", "qemu+ssh://u@h/session", "qemu+unix:///session?socket=/r/libvirt/libvirt-sock", "test+tcp://127.0.0.1:1/default"]) {
      expect(plan(uri), uri).toBeNull();
    }
  });

  it("not when LIBVIRT_AUTOSTART is 0 (any other value starts it) or autostart is false", () => {
    expect(plan("qemu:///session", { LIBVIRT_AUTOSTART: "0" })).toBeNull();
    expect(plan("qemu:///session", { LIBVIRT_AUTOSTART: "1" })).not.toBeNull();
    expect(plan("qemu:///session", { LIBVIRT_AUTOSTART: "" })).not.toBeNull();
    expect(plan("qemu:///session", {}, USER, false)).toBeNull();
    expect(plan("qemu:///session", {}, USER, true)).not.toBeNull();
  });

  it("the modular daemon when its socket is the one chosen (mode=direct), with its own lock", () => {
    expect(plan("qemu:///session?mode=direct")).toMatchObject({ daemon: "/usr/sbin/virtqemud", socket: "/r/libvirt/virtqemud-sock", lock: "/r/libvirt/virtqemud.lock" });
    expect(plan("network:///session?mode=direct")).toMatchObject({ daemon: "/usr/sbin/virtnetworkd" });
    expect(plan("qemu:///session?mode=legacy")).toMatchObject({ daemon: "/usr/sbin/libvirtd" });
  });

  it("VIRTD_PATH, else LIBVIRTD_PATH, names the daemon's folder", () => {
    expect(plan("qemu:///session", { LIBVIRTD_PATH: "/b" })?.daemon).toBe("/b/libvirtd");
    expect(plan("qemu:///session", { VIRTD_PATH: "/a", LIBVIRTD_PATH: "/b" })?.daemon).toBe("/a/libvirtd");
    expect(plan("qemu:///session?mode=direct", { VIRTD_PATH: "/a" })?.daemon).toBe("/a/virtqemud");
  });

  it("hands the daemon only the variables libvirt's client passes on", () => {
    const more = { USER: "u", LOGNAME: "u", TMPDIR: "/t", LD_LIBRARY_PATH: "/l", XDG_CONFIG_HOME: "/c", XDG_CACHE_HOME: "/k", XDG_DATA_HOME: "/d", LIBVIRT_DEFAULT_URI: "qemu:///system", LANG: "de_DE.UTF-8" };
    expect(plan("qemu:///session", more)?.env).toEqual({
      LC_ALL: "C",
      ...env,
      USER: "u",
      LOGNAME: "u",
      TMPDIR: "/t",
      LD_LIBRARY_PATH: "/l",
      XDG_CONFIG_HOME: "/c",
      XDG_CACHE_HOME: "/k",
    });
  });

  it("without XDG_RUNTIME_DIR (or with it empty), in GLib's cache directory, as the daemon itself puts its socket", () => {
    const noRuntime = { XDG_RUNTIME_DIR: undefined, XDG_CACHE_HOME: "/c" };
    expect(plan("qemu:///session", noRuntime)).toMatchObject({ socket: "/c/libvirt/libvirt-sock", lock: "/c/libvirt/libvirtd.lock" });
    expect(plan("qemu:///session", { XDG_RUNTIME_DIR: "", XDG_CACHE_HOME: "/c" })?.socket).toBe("/c/libvirt/libvirt-sock");
    expect(plan("qemu:///session", { XDG_RUNTIME_DIR: undefined })?.socket).toBe("/h/.cache/libvirt/libvirt-sock");
  });

  it("idleTimeout and wait from the option", () => {
    expect(plan("qemu:///session", {}, USER, { idleTimeout: 5, wait: 1000 })).toMatchObject({ idleTimeout: 5, wait: 1000 });
  });
});

describe("connect()'s autostart option, checked before anything is dialled", () => {
  it("a boolean or { idleTimeout, wait }: whole seconds within libvirtd's --timeout range, milliseconds 0 or more", () => {
    for (const ok of [undefined, true, false, {}, { idleTimeout: 0 }, { idleTimeout: 120, wait: 0 }, { idleTimeout: 2147483 }]) {
      expect(() => checkConnectOptions({ autostart: ok as never }), JSON.stringify(ok)).not.toThrow();
    }
    for (const bad of ["yes", null, 1, { idleTimeout: -1 }, { idleTimeout: 1.5 }, { idleTimeout: 2147484 }, { idleTimeout: "120" }, { wait: Number.NaN }, { wait: -1 }]) {
      expect(() => checkConnectOptions({ autostart: bad as never }), JSON.stringify(bad)).toThrow(OptionError);
    }
  });
});
