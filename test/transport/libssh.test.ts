import { createHmac, randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UriError } from "../../src/rpc/errors.js";
import { checkHostKey, hostListMatches, keyTypeOf, knownHostsLine, md5Fingerprint, parseKnownHosts } from "../../src/transport/known-hosts.js";
import { LibsshTransport, libsshSettings } from "../../src/transport/libssh.js";
import { parseUri } from "../../src/uri.js";

/** An SSH public key blob: string type, then opaque key bytes. */
function blob(type: string, key: Buffer): Buffer {
  const t = Buffer.from(type);
  const head = Buffer.alloc(4);
  head.writeUInt32BE(t.length);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(key.length);
  return Buffer.concat([head, t, len, key]);
}

describe("known_hosts", () => {
  const key = blob("ssh-ed25519", randomBytes(32));
  const other = blob("ssh-ed25519", randomBytes(32));
  const rsa = blob("ssh-rsa", randomBytes(64));
  const b64 = (b: Buffer): string => b.toString("base64");
  const hashed = (name: string): string => {
    const salt = randomBytes(20);
    return `|1|${salt.toString("base64")}|${createHmac("sha1", salt).update(name).digest("base64")}`;
  };

  it("matches [host]:port and plain host entries, hashed or not, as libssh2's checkp does", () => {
    expect(keyTypeOf(key)).toBe("ssh-ed25519");
    const check = (text: string, port = 2222) => checkHostKey(parseKnownHosts(text), "127.0.0.1", port, key).result;
    expect(check(`[127.0.0.1]:2222 ssh-ed25519 ${b64(key)}\n`)).toBe("match");
    expect(check(`127.0.0.1 ssh-ed25519 ${b64(key)}\n`)).toBe("match");
    expect(check(`[127.0.0.1]:2200 ssh-ed25519 ${b64(key)}\n`)).toBe("notfound");
    expect(check(`${hashed("[127.0.0.1]:2222")} ssh-ed25519 ${b64(key)}\n`)).toBe("match");
    expect(check(`${hashed("[127.0.0.1]:2200")} ssh-ed25519 ${b64(key)}\n`)).toBe("notfound");
    expect(check(`# comment\nother.host,127.0.0.* ssh-ed25519 ${b64(key)} a comment\n`)).toBe("match");
    expect(check(`127.0.0.*,!127.0.0.1 ssh-ed25519 ${b64(key)}\n`)).toBe("notfound");
  });

  it("a different key of the same type is a mismatch; revoked never matches", () => {
    const entries = parseKnownHosts(`x ssh-ed25519 ${b64(other)}\n[127.0.0.1]:2222 ssh-ed25519 ${b64(other)}\n`);
    expect(checkHostKey(entries, "127.0.0.1", 2222, key)).toMatchObject({ result: "mismatch", entry: { line: 2 } });
    expect(checkHostKey(parseKnownHosts(`@revoked 127.0.0.1 ssh-ed25519 ${b64(key)}\n`), "127.0.0.1", 22, key).result).toBe("mismatch");
    expect(checkHostKey(parseKnownHosts(`@cert-authority 127.0.0.1 ssh-ed25519 ${b64(key)}\n`), "127.0.0.1", 22, key).result).toBe("notfound");
  });

  it("a known host presenting a key of another type is a mismatch, never unknown (libssh2 checkp with key type 0; libssh SSH_SERVER_FOUND_OTHER)", () => {
    // Unknown would let known_hosts_verify=auto append a MITM's key of another type, or ask the user again under normal.
    expect(checkHostKey(parseKnownHosts(`127.0.0.1 ssh-rsa ${b64(rsa)}\n`), "127.0.0.1", 22, key)).toMatchObject({ result: "mismatch", entry: { line: 1 } });
    expect(checkHostKey(parseKnownHosts(`[127.0.0.1]:2222 ssh-rsa ${b64(rsa)}\n`), "127.0.0.1", 2222, key).result).toBe("mismatch");
    // A stored key of the server's type that matches still wins over another type's entry.
    expect(checkHostKey(parseKnownHosts(`127.0.0.1 ssh-rsa ${b64(rsa)}\n127.0.0.1 ssh-ed25519 ${b64(key)}\n`), "127.0.0.1", 22, key).result).toBe("match");
    // A revoked key of another type says nothing about this key.
    expect(checkHostKey(parseKnownHosts(`@revoked 127.0.0.1 ssh-rsa ${b64(rsa)}\n`), "127.0.0.1", 22, key).result).toBe("notfound");
  });

  it("writes libvirt's line and shows libvirt's MD5 fingerprint", () => {
    expect(knownHostsLine("h", 22, key)).toBe(`[h]:22 ssh-ed25519 ${b64(key)} added by libvirt ssh transport`);
    expect(md5Fingerprint(Buffer.from("abc"))).toBe("90:01:50:98:3C:D2:4F:B0:D6:96:3F:7D:28:E1:7F:72");
    expect(hostListMatches(["a", "b"], "B")).toBe(true);
  });
});

describe("libsshSettings (virNetClientNewLibSSH2's defaults)", () => {
  let home: string;
  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), "lr-libssh-"));
  });
  afterAll(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it("defaults: root, port 22, known_hosts under the config home, no key so no privkey", () => {
    const s = libsshSettings(parseUri("qemu+libssh2://h/system"), false, { HOME: home }, 0);
    expect(s).toMatchObject({
      host: "h",
      port: 22,
      username: "root",
      keyfile: undefined,
      knownHosts: join(home, ".config/libvirt/known_hosts"),
      hostKeyPolicy: "normal",
      methods: ["agent", "password", "keyboard-interactive"],
    });
    expect(s.command).toContain("virt-ssh-helper 'qemu:///system'");
    expect(libsshSettings(parseUri("qemu+libssh2://h/system"), false, { HOME: home, XDG_CONFIG_HOME: "/cfg" }, 0).knownHosts).toBe("/cfg/libvirt/known_hosts");
  });

  it("finds the default key in libvirt's order (id_ecdsa before id_ed25519 before id_rsa)", async () => {
    await mkdir(join(home, ".ssh"));
    await writeFile(join(home, ".ssh/id_rsa"), "");
    await writeFile(join(home, ".ssh/id_ed25519"), "");
    const s = libsshSettings(parseUri("test+libssh2://u@h:2/default"), false, { HOME: home }, 0);
    expect(s).toMatchObject({ keyfile: join(home, ".ssh/id_ed25519"), username: "u", port: 2, methods: ["agent", "privkey", "password", "keyboard-interactive"] });
  });

  it("sshauth=, known_hosts=, known_hosts_verify= as libvirt parses them", () => {
    const s = libsshSettings(parseUri("test+libssh://h/default?sshauth=Password,agent&known_hosts=/k&known_hosts_verify=AUTO&keyfile=/key"), false, { HOME: home }, 0);
    expect(s).toMatchObject({ methods: ["password", "agent"], knownHosts: "/k", hostKeyPolicy: "auto", keyfile: "/key" });
    expect(() => libsshSettings(parseUri("test+libssh2://h/default?sshauth=agent,"), false, { HOME: "/none" }, 0)).toThrow(/Invalid authentication method: ''/);
    expect(() => libsshSettings(parseUri("test+libssh2://h/default?sshauth=gssapi"), false, { HOME: "/none" }, 0)).toThrow(UriError);
    expect(() => libsshSettings(parseUri("test+libssh2://h/default?known_hosts_verify=strict"), false, { HOME: "/none" }, 0)).toThrow(/Invalid host key verification method/);
    expect(() => libsshSettings(parseUri("test+libssh2://h/default?sshauth=privkey"), false, { HOME: "/none" }, 0)).toThrow(/needs a key/);
  });
});

describe("+libssh2 against an in-process ssh2 server", () => {
  let stopLying = (): void => undefined;

  /** A server on loopback; with `lying`, its host key signs garbage, so it cannot prove it holds the key. */
  async function sshServer(lying: boolean): Promise<{ port: number; close: () => void }> {
    const { Server, utils } = (await import("ssh2")).default;
    const pem = utils.generateKeyPairSync("ed25519").private;
    const parsed = utils.parseKey(pem);
    if (parsed instanceof Error) throw parsed;
    // The server parses its own copy of the key: its class's sign() is what can be made to lie.
    const proto = Object.getPrototypeOf(Array.isArray(parsed) ? parsed[0] : parsed) as { sign: (...a: unknown[]) => unknown };
    const honest = proto.sign;
    proto.sign = function (this: unknown, ...a: unknown[]) {
      return lying ? randomBytes(64) : honest.apply(this, a);
    };
    stopLying = () => (proto.sign = honest);
    const server = new Server({ hostKeys: [pem] }, (client) => {
      client.on("authentication", (ctx) => ctx.accept());
      client.on("ready", () => client.on("session", (accept) => accept().once("exec", (acceptExec) => acceptExec())));
      client.on("error", () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return { port: (server.address() as { port: number }).port, close: () => server.close() };
  }

  it("known_hosts_verify=auto saves the host key only once the handshake has proved it, as libvirt's libssh does", async () => {
    const dir = await mkdtemp(join(tmpdir(), "lr-kh-"));
    try {
      for (const lying of [true, false]) {
        const server = await sshServer(lying);
        const knownHosts = join(dir, `${lying}-known_hosts`);
        const uri = parseUri(`test+libssh2://root@127.0.0.1:${server.port}/default?known_hosts=${knownHosts}&known_hosts_verify=auto&sshauth=password`);
        const transport = new LibsshTransport(uri, { readOnly: false, auth: { password: "x" } }, "libssh2");
        const outcome = await transport.connect().then(
          (duplex) => (duplex.destroy(), "connected"),
          (e: Error) => e.message,
        );
        server.close();
        stopLying();
        if (lying) {
          expect(outcome).toMatch(/signature verification failed/);
          expect(existsSync(knownHosts)).toBe(false);
        } else {
          expect(outcome).toBe("connected");
          expect(readFileSync(knownHosts, "utf8")).toMatch(/^\[127\.0\.0\.1\]:\d+ ssh-ed25519 /);
        }
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
