import { describe, expect, it } from "vitest";
import { UriError } from "../../src/rpc/errors.js";
import { parseUri, unixSocketFor, uriParam } from "../../src/uri.js";

describe("parseUri", () => {
  const cases: [string, Partial<ReturnType<typeof parseUri>>][] = [
    ["qemu:///system", { driver: "qemu", transport: "unix", host: null, port: null, path: "/system", name: "qemu:///system" }],
    ["test+tcp://127.0.0.1:16601/default", { driver: "test", transport: "tcp", host: "127.0.0.1", port: 16601, name: "test:///default" }],
    ["qemu+ssh://root@host.example/system?keyfile=/k&no_verify=1", { transport: "ssh", user: "root", host: "host.example", name: "qemu:///system" }],
    ["qemu://host.example/system", { transport: "tls", host: "host.example" }],
    ["QEMU+TCP://[::1]:16509/session", { driver: "qemu", transport: "tcp", host: "::1", port: 16509, name: "qemu:///session" }],
    ["qemu+unix:///session?socket=/tmp/s%20x&mode=legacy", { params: [["socket", "/tmp/s x"], ["mode", "legacy"]], name: "qemu:///session" }],
    ["qemu:///system?foo=bar&socket=/x", { name: "qemu:///system?foo=bar" }],
    ["test+tcp://h/default?name=test:///other", { name: "test:///other" }],
    ["remote+tcp://h/", { driver: "remote", name: "" }],
    ["lxc:///", { driver: "lxc", path: "/", name: "lxc:///" }],
  ];
  for (const [uri, expected] of cases) {
    it(uri, () => expect(parseUri(uri)).toMatchObject(expected));
  }

  it("splits the query as virURIParseParams: at the next '&', and only where none is left at ';'; '=value' is dropped", () => {
    expect(parseUri("qemu+unix:///system?socket=/tmp/a;b&mode=legacy").params).toEqual([["socket", "/tmp/a;b"], ["mode", "legacy"]]);
    expect(parseUri("qemu:///system?a=1&b=2;c=3").params).toEqual([["a", "1"], ["b", "2"], ["c", "3"]]);
    expect(parseUri("qemu:///system?=x&&mode=legacy;")).toMatchObject({ params: [["mode", "legacy"]], name: "qemu:///system" });
    expect(parseUri("qemu:///system?flag").params).toEqual([["flag", ""]]);
  });

  it("takes LIBVIRT_DEFAULT_URI when no URI is given", () => {
    const saved = process.env["LIBVIRT_DEFAULT_URI"];
    process.env["LIBVIRT_DEFAULT_URI"] = "test+tcp://localhost:1/default";
    try {
      expect(parseUri()).toMatchObject({ driver: "test", port: 1 });
    } finally {
      if (saved === undefined) delete process.env["LIBVIRT_DEFAULT_URI"];
      else process.env["LIBVIRT_DEFAULT_URI"] = saved;
    }
  });

  const bad: [string, string][] = [
    ["qemu:/system", "expected driver[+transport]://[user@][host][:port]/path[?params]"],
    ["qemu+carrier://h/system", "unknown transport 'carrier'"],
    ["qemu+unix://host/system", "a unix socket cannot reach remote host 'host'"],
    ["qemu+tcp://h:99999/system", "invalid port '99999'"],
    ["qemu+tcp://h:x1/system", "invalid port 'x1'"],
    ["qemu+tcp://[::1/system", "malformed host '[::1'"],
    ["qemu:///system?socket=%zz", "bad percent-escape in parameter socket '%zz'"],
  ];
  for (const [uri, message] of bad) {
    it(`rejects ${uri}: ${message}`, () => {
      expect(() => parseUri(uri)).toThrow(UriError);
      expect(() => parseUri(uri)).toThrow(message);
    });
  }
});

describe("unixSocketFor", () => {
  const env = { XDG_RUNTIME_DIR: "/run/user/1000" };
  it("uses the system sockets for root, the -ro one when read-only", () => {
    expect(unixSocketFor(parseUri("qemu:///system?mode=legacy"), false, env, 0).path).toBe("/var/run/libvirt/libvirt-sock");
    expect(unixSocketFor(parseUri("qemu:///system?mode=legacy"), true, env, 0).path).toBe("/var/run/libvirt/libvirt-sock-ro");
    expect(unixSocketFor(parseUri("qemu:///system?mode=direct"), true, env, 0).path).toBe("/var/run/libvirt/virtqemud-sock-ro");
  });
  it("uses the per-user daemon for /session URIs of a normal user", () => {
    expect(unixSocketFor(parseUri("qemu:///session?mode=direct"), false, env, 1000).path).toBe("/run/user/1000/libvirt/virtqemud-sock");
    expect(unixSocketFor(parseUri("qemu:///session?mode=legacy"), true, env, 1000).path).toBe("/run/user/1000/libvirt/libvirt-sock");
    expect(unixSocketFor(parseUri("test+unix:///default?mode=legacy"), false, env, 1000).path).toBe("/run/user/1000/libvirt/libvirt-sock");
  });
  it("in auto mode falls back to libvirtd's socket when the modular one is absent", () => {
    expect(unixSocketFor(parseUri("qemu:///system"), false, env, 0)).toEqual({ path: "/var/run/libvirt/libvirt-sock", mode: "legacy" });
  });
  it("honours socket= and rejects a bad mode", () => {
    expect(unixSocketFor(parseUri("qemu:///system?socket=/tmp/x"), false, env, 0).path).toBe("/tmp/x");
    expect(() => unixSocketFor(parseUri("qemu:///system?mode=fast"), false, env, 0)).toThrow("mode must be auto, legacy or direct, not 'fast'");
  });
});

// Issue 13, defect 19: as libvirt's doRemoteOpen reads a URI.
describe("URI parameters and ports as libvirt reads them", () => {
  it("takes the last name= (EXTRACT_URI_ARG_STR overwrites on each occurrence)", () => {
    expect(parseUri("test+tcp://h/default?name=test:///first&name=test:///last").name).toBe("test:///last");
    expect(parseUri("test+tcp://h/default?NAME=test:///first&name=").name).toBe("");
  });

  it("takes the last occurrence of every client parameter, names matched without case", () => {
    const u = parseUri("qemu+unix:///session?socket=/first&mode=direct&Socket=/last&MODE=legacy");
    expect(uriParam(u, "socket")).toBe("/last");
    expect(uriParam(u, "mode")).toBe("legacy");
    expect(unixSocketFor(u, false, {}, 1000)).toEqual({ path: "/last", mode: "legacy" });
  });

  it("treats port 0 as no port, so the transport's default is used (libvirt: uri->port != 0)", () => {
    expect(parseUri("test+tcp://127.0.0.1:0/default").port).toBeNull();
    expect(parseUri("test+tcp://127.0.0.1:00/default").port).toBeNull();
    expect(parseUri("test+tcp://127.0.0.1:1/default").port).toBe(1);
  });

  it("refuses an empty socket= for a Unix socket instead of reaching for TCP (libvirt fails to connect to '')", () => {
    const u = parseUri("qemu+unix:///system?socket=");
    expect(() => unixSocketFor(u, false, {}, 0)).toThrow(UriError);
    expect(() => unixSocketFor(u, false, {}, 0)).toThrow(`"qemu+unix:///system?socket=": socket= is empty; libvirt, too, fails to connect to ''`);
    // A TCP URI has no use for socket=, as in libvirt.
    expect(parseUri("test+tcp://h/default?socket=").name).toBe("test:///default");
  });
});
