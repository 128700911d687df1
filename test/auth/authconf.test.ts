import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AuthConfig, authConfigPath } from "../../src/auth/authconf.js";
import type { AuthError } from "../../src/auth/errors.js";
import { rc4 } from "../../src/auth/sasl/rc4.js";
import { parseUri } from "../../src/uri.js";

const FILE = `
# libvirt's documented example, with a default
[credentials-test]
authname=fred
password=123456

[credentials-prod]
authname=bar
password=letmein\\s

[auth-libvirt-test1.example.com]
credentials=test

[auth-libvirt-default]
credentials=prod
`;

describe("auth.conf as libvirt reads it", () => {
  it("finds auth-SERVICE-HOST, else auth-SERVICE-default, then the named credentials", () => {
    const c = AuthConfig.parse(FILE);
    expect(c.lookup("libvirt", "test1.example.com", "authname")).toBe("fred");
    expect(c.lookup("libvirt", "test1.example.com", "password")).toBe("123456");
    expect(c.lookup("libvirt", "other.example.com", "authname")).toBe("bar");
    expect(c.lookup("libvirt", null, "password")).toBe("letmein "); // no host: "localhost", then default; \\s is a space
    expect(c.lookup("libvirt", "test1.example.com", "realm")).toBeUndefined();
    expect(c.lookup("ssh", "test1.example.com", "authname")).toBeUndefined();
  });

  it("a dangling credentials reference or a malformed line is an ERR_AUTH_CONFIG naming the place, never a value", () => {
    expect(() => AuthConfig.parse("[auth-libvirt-default]\ncredentials=nope\n").lookup("libvirt", "h", "authname")).toThrow(/credentials-nope/);
    try {
      AuthConfig.parse("[credentials-x]\nhunter2-password-line\n", "/etc/x.conf");
      expect.unreachable();
    } catch (e) {
      expect((e as AuthError).code).toBe("ERR_AUTH_CONFIG");
      expect((e as Error).message).toBe("/etc/x.conf:2: not a group header or key=value line");
    }
  });

  it("is looked for where libvirt looks: LIBVIRT_AUTH_FILE first, then authfile=, then XDG_CONFIG_HOME, then /etc", () => {
    const dir = mkdtempSync(join(tmpdir(), "lr-authconf-"));
    const uri = parseUri("test+tcp://h/default?authfile=/from/uri.conf");
    expect(authConfigPath(uri, { LIBVIRT_AUTH_FILE: "/from/env.conf" })).toBe("/from/env.conf");
    expect(authConfigPath(uri, {})).toBe("/from/uri.conf");
    const plain = parseUri("test+tcp://h/default");
    const etc = existsSync("/etc/libvirt/auth.conf") ? "/etc/libvirt/auth.conf" : null;
    expect(authConfigPath(plain, { XDG_CONFIG_HOME: join(dir, "cfg"), HOME: dir })).toBe(etc);
    mkdirSync(join(dir, "cfg", "libvirt"), { recursive: true });
    writeFileSync(join(dir, "cfg", "libvirt", "auth.conf"), FILE);
    expect(authConfigPath(plain, { XDG_CONFIG_HOME: join(dir, "cfg"), HOME: dir })).toBe(join(dir, "cfg", "libvirt", "auth.conf"));
    // Without XDG_CONFIG_HOME: ~/.config.
    mkdirSync(join(dir, ".config", "libvirt"), { recursive: true });
    writeFileSync(join(dir, ".config", "libvirt", "auth.conf"), FILE);
    expect(authConfigPath(plain, { HOME: dir })).toBe(join(dir, ".config", "libvirt", "auth.conf"));
  });
});

describe("RC4", () => {
  it("matches RFC 6229's key stream (40-bit key 0102030405, offset 0)", () => {
    const ks = rc4(Uint8Array.of(1, 2, 3, 4, 5)).update(new Uint8Array(16));
    expect(ks.toString("hex")).toBe("b2396305f03dc027ccc3524a0a1118a8");
  });
});
