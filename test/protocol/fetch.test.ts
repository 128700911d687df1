import { describe, it, expect, afterEach } from "vitest";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { cp, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { debSrcSources, fetchProtocol, parseAptSources, repoRoot, upstreamVersion, type Manifest } from "../../protocol/fetch.js";

const root = repoRoot();
const manifest = JSON.parse(readFileSync(join(root, "protocol", "libvirt.json"), "utf8")) as Manifest;
const version = manifest.pinned;
// The real files, if someone already fetched them; never committed, so absent on a fresh clone.
const real = join(root, "protocol", "upstream", version);
const haveReal = existsSync(join(real, "src/remote/remote_protocol.x"));

const temps: string[] = [];
async function temp(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), "fetch-test-"));
  temps.push(d);
  return d;
}
afterEach(async () => {
  for (const d of temps.splice(0)) await rm(d, { recursive: true, force: true });
});

describe("manifest", () => {
  it("pins a listed version and lists the protocol files for each", () => {
    expect(manifest.versions[version]).toBeDefined();
    for (const entry of Object.values(manifest.versions)) {
      const names = Object.keys(entry.files);
      expect(names.filter((n) => n.endsWith(".x"))).toHaveLength(9);
      expect(names).toContain("include/libvirt/libvirt-common.h.in");
      expect(names).toContain("tests/virnetmessagetest.c");
      for (const h of Object.values(entry.files)) expect(h).toMatch(/^[0-9a-f]{64}$/);
      expect(entry.debianSuites.length).toBeGreaterThan(0);
    }
  });
});

describe("fetchProtocol --from", () => {
  it.skipIf(!haveReal)("copies a source tree, then takes the fast path", async () => {
    const tree = await temp();
    await cp(real, tree, { recursive: true });
    const dest = await temp();
    const first = await fetchProtocol({ version, from: tree, dest });
    expect(first.source).toBe("tree");
    expect(first.dir).toBe(join(dest, version));
    expect(first.files).toHaveLength(Object.keys(manifest.versions[version]?.files ?? {}).length);
    expect(readFileSync(join(first.dir, "src/remote/remote_protocol.x"))).toEqual(readFileSync(join(real, "src/remote/remote_protocol.x")));
    expect(await readdir(dest)).toEqual([version]); // no staging left behind

    const again = await fetchProtocol({ version, from: "/nonexistent", dest });
    expect(again.source).toBe("present");
  });

  it.skipIf(!haveReal)("extracts from a folder holding an upstream-named tarball", async () => {
    const holder = await temp();
    await cp(real, join(holder, `libvirt-${version}`), { recursive: true });
    execFileSync("tar", ["-cJf", `libvirt-${version}.tar.xz`, `libvirt-${version}`], { cwd: holder });
    await rm(join(holder, `libvirt-${version}`), { recursive: true });
    const dest = await temp();
    const r = await fetchProtocol({ version, from: holder, dest });
    expect(r.source).toBe("tarball");
    expect(existsSync(join(dest, version, "tests/virnetmessagetest.c"))).toBe(true);
  });

  it.skipIf(!haveReal)("rejects a tree with one changed byte, naming the file, and leaves nothing", async () => {
    const tree = await temp();
    await cp(real, tree, { recursive: true });
    const victim = join(tree, "src/rpc/virnetprotocol.x");
    const bytes = readFileSync(victim);
    bytes[100] = (bytes[100] ?? 0) ^ 1;
    await writeFile(victim, bytes);
    const dest = await temp();
    const expected = manifest.versions[version]?.files["src/rpc/virnetprotocol.x"] ?? "";
    await expect(fetchProtocol({ version, from: tree, dest })).rejects.toThrow(
      new RegExp(`checksum mismatch for src/rpc/virnetprotocol\\.x: expected ${expected}, got [0-9a-f]{64}$`),
    );
    expect(await readdir(dest)).toEqual([]);
  });

  it.skipIf(!haveReal)("replaces a destination whose files were altered", async () => {
    const dest = await temp();
    await cp(real, join(dest, version), { recursive: true });
    await writeFile(join(dest, version, "src/remote/qemu_protocol.x"), "tampered");
    const r = await fetchProtocol({ version, from: real, dest });
    expect(r.source).toBe("tree");
    expect(readFileSync(join(dest, version, "src/remote/qemu_protocol.x"))).toEqual(readFileSync(join(real, "src/remote/qemu_protocol.x")));
  });

  it("rejects an unknown version and a folder that is neither tree nor tarball holder", async () => {
    const dest = await temp();
    await expect(fetchProtocol({ version: "0.0.1", from: dest, dest })).rejects.toThrow(/unknown libvirt version 0\.0\.1/);
    const empty = await temp();
    await expect(fetchProtocol({ version, from: empty, dest })).rejects.toThrow(/neither a libvirt source tree/);
    expect(await readdir(dest)).toEqual([]);
  });
});

describe("deb-src derivation from apt sources", () => {
  const key = "/usr/share/keyrings/debian-archive-keyring.gpg";
  const deb822 = `Types: deb
# a comment
URIs: http://mirror.example/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: ${key}

Types: deb
URIs: http://mirror.example/debian-security
Suites: bookworm-security
Components: main
Signed-By: ${key}

Types: deb
URIs: http://other.example/debian
Suites: bookworm
Components: main
Enabled: no
`;
  const oneLine = `# one-line format
deb [arch=amd64 signed-by=${key}] http://second.example/debian trixie main contrib
deb http://second.example/debian-security trixie-security main
deb-src http://second.example/debian trixie main
deb http://vendor.example/node nodistro main
deb http://second.example/debian trixie contrib
`;

  it("parses deb822 stanzas, skipping disabled ones", () => {
    const entries = parseAptSources("debian.sources", deb822);
    expect(entries).toHaveLength(2);
    expect(entries[0]).toEqual({
      types: ["deb"],
      uris: ["http://mirror.example/debian"],
      suites: ["bookworm", "bookworm-updates"],
      components: ["main"],
      signedBy: key,
    });
  });

  it("parses one-line entries with options", () => {
    const entries = parseAptSources("sources.list", oneLine);
    expect(entries).toHaveLength(5);
    expect(entries[0]).toEqual({
      types: ["deb"],
      uris: ["http://second.example/debian"],
      suites: ["trixie"],
      components: ["main", "contrib"],
      signedBy: key,
    });
    expect(entries[1]?.signedBy).toBeUndefined();
  });

  it("keeps only Debian main archives, never -security, in a deb-src stanza", () => {
    const text = debSrcSources(
      [
        { name: "debian.sources", text: deb822 },
        { name: "sources.list", text: oneLine },
      ],
      ["trixie", "bookworm-backports"],
    );
    expect(text).toBe(
      `Types: deb-src
URIs: http://mirror.example/debian http://second.example/debian
Suites: trixie bookworm-backports
Components: main
Signed-By: ${key}
`,
    );
  });

  it("writes one stanza per Signed-By and omits it when absent", () => {
    const text = debSrcSources(
      [{ name: "sources.list", text: "deb http://a.example/debian bookworm main\ndeb [signed-by=/k.gpg] http://b.example/debian sid main\n" }],
      ["bookworm"],
    );
    expect(text.split("\n\n")).toEqual([
      "Types: deb-src\nURIs: http://a.example/debian\nSuites: bookworm\nComponents: main",
      "Types: deb-src\nURIs: http://b.example/debian\nSuites: bookworm\nComponents: main\nSigned-By: /k.gpg\n",
    ]);
  });

  it("keeps an inline Signed-By key block verbatim", () => {
    const inline = "Types: deb\nURIs: http://c.example/debian\nSuites: trixie\nComponents: main\nSigned-By:\n -----BEGIN PGP PUBLIC KEY BLOCK-----\n .\n abc\n -----END PGP PUBLIC KEY BLOCK-----\n";
    expect(debSrcSources([{ name: "x.sources", text: inline }], ["trixie"])).toContain(
      "Signed-By:\n -----BEGIN PGP PUBLIC KEY BLOCK-----\n .\n abc\n -----END PGP PUBLIC KEY BLOCK-----\n",
    );
  });

  it("fails clearly when there is no Debian main archive", () => {
    expect(() => debSrcSources([{ name: "sources.list", text: "deb http://x.example/debian bookworm-security main\n" }], ["bookworm"])).toThrow(
      /no Debian main archive/,
    );
  });

  it("takes the upstream part of a Debian version", () => {
    expect(upstreamVersion("11.3.0-3+deb13u3")).toBe("11.3.0");
    expect(upstreamVersion("11.3.0-2~bpo12+1")).toBe("11.3.0");
    expect(upstreamVersion("1:9.0.0-4+deb12u2")).toBe("9.0.0");
  });
});
