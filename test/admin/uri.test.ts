import { describe, expect, it } from "vitest";
import { parseAdminUri, resolveAdminUri } from "../../src/admin/uri.js";
import { UriError } from "../../src/rpc/errors.js";

const none = { env: {}, euid: 1000, config: null };

describe("admin URIs, as libvirt-admin's getSocketPath reads them", () => {
  it.each([
    ["libvirtd:///system", "/run/libvirt/libvirt-admin-sock"],
    ["virtqemud:///system", "/run/libvirt/virtqemud-admin-sock"],
    ["virtproxyd:///system", "/run/libvirt/virtproxyd-admin-sock"],
    // The host is ignored: libvirt-admin only ever opens a local socket.
    ["virtnetworkd://somehost/system", "/run/libvirt/virtnetworkd-admin-sock"],
  ])("%s -> %s", (uri, socket) => {
    expect(parseAdminUri(uri, {}).socket).toBe(socket);
  });

  it("finds the per-user socket in XDG_RUNTIME_DIR, else the cache dir, else ~/.cache", () => {
    expect(parseAdminUri("virtqemud:///session", { XDG_RUNTIME_DIR: "/r" }).socket).toBe("/r/libvirt/virtqemud-admin-sock");
    expect(parseAdminUri("libvirtd:///session", { XDG_CACHE_HOME: "/c" }).socket).toBe("/c/libvirt/libvirt-admin-sock");
    expect(parseAdminUri("libvirtd:///session", { HOME: "/home/u" }).socket).toBe("/home/u/.cache/libvirt/libvirt-admin-sock");
  });

  it("takes socket= as given, the last one winning, without checking the path", () => {
    expect(parseAdminUri("libvirtd:///anything?socket=/a&socket=/tmp/x%20y").socket).toBe("/tmp/x y");
    expect(parseAdminUri("qemu:///system?socket=/s").socket).toBe("/s");
  });

  it.each([
    ["qemu:///system", /unsupported URI scheme 'qemu'/],
    ["libvirtd:///session?mode=direct", /unknown URI parameter 'mode'/],
    ["libvirtd:///session?Socket=/s", /unknown URI parameter 'Socket'/],
    ["libvirtd:///foo", /invalid URI path '\/foo', try '\/system'/],
    ["libvirtd://", /invalid URI path ''/],
    ["/run/libvirt/libvirt-admin-sock", /no URI scheme/],
    ["libvirtd:///system?socket=", /socket= is empty/],
  ])("%s is refused with a UriError", (uri, message) => {
    expect(() => parseAdminUri(uri, {})).toThrow(UriError);
    expect(() => parseAdminUri(uri, {})).toThrow(message);
  });
});

describe("the default admin URI, as virAdmGetDefaultURI", () => {
  it("is libvirtd:///system for root and libvirtd:///session for anyone else", () => {
    expect(resolveAdminUri(undefined, { ...none, euid: 0 }).uri).toBe("libvirtd:///system");
    expect(resolveAdminUri(undefined, { ...none, env: { XDG_RUNTIME_DIR: "/r" } })).toMatchObject({
      uri: "libvirtd:///session",
      socket: "/r/libvirt/libvirt-admin-sock",
    });
  });

  it("comes from LIBVIRT_ADMIN_DEFAULT_URI first, then libvirt-admin.conf's uri_default", () => {
    const config = '# a comment\nuri_default = "virtqemud:///system"  # trailing\n';
    expect(resolveAdminUri(undefined, { env: { LIBVIRT_ADMIN_DEFAULT_URI: "virtproxyd:///system" }, euid: 0, config }).uri).toBe("virtproxyd:///system");
    expect(resolveAdminUri(undefined, { env: {}, euid: 0, config }).uri).toBe("virtqemud:///system");
  });

  it("resolves uri_aliases unless told not to", () => {
    const config = 'uri_aliases = [\n  "hail=virtqemud:///system",\n  "proxy=virtproxyd:///system",\n]\n';
    expect(resolveAdminUri("proxy", { ...none, config }).socket).toBe("/run/libvirt/virtproxyd-admin-sock");
    expect(resolveAdminUri("libvirtd:///system", { ...none, config }).uri).toBe("libvirtd:///system");
    expect(() => resolveAdminUri("proxy", { ...none, config }, true)).toThrow(/no URI scheme/);
    expect(() => resolveAdminUri("x", { ...none, config: 'uri_aliases = ["b@d=libvirtd:///system"]' })).toThrow(/aliases may only contain/);
  });
});
