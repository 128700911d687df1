// docs/names.md and the generated doc comments name every method by its C
// function and its libvirt-python twins (issue 26). Checked against the
// installed libvirt-python itself (python3-libvirt: each method's body calls
// libvirtmod.virXxx, which is the C function behind it) and against the
// procedure table, not against the generator's own reading.
import { execFileSync, spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { lxcProgram } from "../../src/gen/lxc_protocol.js";
import { qemuProgram } from "../../src/gen/qemu_protocol.js";
import { remoteProgram } from "../../src/gen/remote_protocol.js";

const root = join(import.meta.dirname, "../..");
const PYTHON = "/usr/bin/python3";
const hasBindings = spawnSync(PYTHON, ["-c", "import libvirt, libvirt_qemu, libvirt_lxc"]).status === 0;

/** `virDomainGetBlockInfo` / `REMOTE_PROC_DOMAIN_GET_BLOCK_INFO` -> `domaingetblockinfo`. */
const squash = (s: string): string => s.replace(/_/g, "").toLowerCase();

/** Every procedure, squashed, as a C function would be: QEMU's and LXC's carry their program's word (virDomainQemuMonitorCommand). */
function procedureKeys(): Set<string> {
  const keys = new Set<string>();
  for (const p of Object.values(remoteProgram.procedures)) keys.add(squash(p.name.replace(/^REMOTE_PROC_/, "")));
  for (const [table, word] of [[qemuProgram.procedures, "qemu"], [lxcProgram.procedures, "lxc"]] as const) {
    for (const p of Object.values(table) as { name: string }[]) {
      const words = p.name.replace(/^\w+?_PROC_/, "").toLowerCase().split("_");
      for (let i = 1; i <= words.length; i++) keys.add([...words.slice(0, i), word, ...words.slice(i)].join(""));
    }
  }
  return keys;
}

/** libvirt-python's methods and the C functions they call, read from the installed bindings. */
function pythonMethods(): { python: string; c: string[] }[] {
  const out = execFileSync(PYTHON, [join(root, "tools/python-names/extract.py")], { encoding: "utf8" });
  return (JSON.parse(out) as { methods: { python: string; c: string[] }[] }).methods;
}

/** The rows of one of names.md's tables: first cell -> the row's cells. */
function table(page: string, heading: string): string[][] {
  const section = page.split(/^## /m).find((s) => s.startsWith(heading));
  if (section === undefined) throw new Error(`names.md has no "${heading}" section`);
  return section
    .split("\n")
    .filter((l) => l.startsWith("| ") && !l.startsWith("| ---"))
    .slice(1)
    .map((l) => l.slice(2, -2).split(" | "));
}

describe("docs/names.md", () => {
  const page = readFileSync(join(root, "docs/names.md"), "utf8");

  it.skipIf(!hasBindings)("lists every libvirt-python method that has a remote procedure behind it, with its C function", () => {
    const procedures = procedureKeys();
    const expected = pythonMethods()
      .filter((m) => m.c.some((c) => procedures.has(squash(c.replace(/^vir/, "")))))
      .map((m) => m.python)
      .sort();
    const rows = table(page, "libvirt-python → this library");
    const listed = rows.filter((cells) => cells[3] !== "(client side)").map((cells) => cells[0]!.replace(/`/g, ""));
    expect(expected.length).toBeGreaterThan(300);
    expect([...new Set(listed)].sort()).toEqual(expected);
    // The functions libvirt answers without a procedure that are listed have a friendly method, the handles' getters.
    const clientSide = rows.filter((cells) => cells[3] === "(client side)");
    expect(clientSide.map((cells) => cells[0])).toContain("`virDomain.UUIDString`");
    expect(clientSide.filter((cells) => cells[2] === "")).toEqual([]);
  });

  it.skipIf(!hasBindings)("matches the checked-in table of libvirt-python's names (tools/python-names/extract.py)", () => {
    const checkedIn = JSON.parse(readFileSync(join(root, "codegen/python-names.json"), "utf8")) as { methods: unknown };
    expect(pythonMethods()).toEqual(checkedIn.methods);
  });

  it("gives each row the C function, linked to libvirt's reference, and the friendly and exact methods", () => {
    const rows = table(page, "libvirt-python → this library");
    const row = (python: string): string[] => rows.find((r) => r[0] === `\`${python}\``) ?? [];
    expect(row("virDomain.blockInfo")).toEqual([
      "`virDomain.blockInfo`",
      "[virDomainGetBlockInfo](https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetBlockInfo)",
      "{@link libvirt-remote!Domain.blockInfo}",
      "{@link libvirt-remote!Client.domainGetBlockInfo}",
    ]);
    expect(row("virDomain.XMLDesc")[2]).toBe("{@link libvirt-remote!Domain.xmlDesc}");
    expect(row("virConnect.lookupByName")[2]).toBe("{@link libvirt-remote!Connection.domain}, {@link libvirt-remote!Connection.domainLookupByName}");
    const c = table(page, "C → this library");
    expect(c.length).toBeGreaterThan(400);
    expect(c.find((r) => r[0]!.startsWith("[virDomainGetBlockInfo]"))?.[1]).toBe("REMOTE_PROC_DOMAIN_GET_BLOCK_INFO");
  });
});

describe("the generated doc comments", () => {
  /** Each method's doc comment in a generated file, by method name. */
  function docs(file: string): Map<string, string> {
    const text = readFileSync(file, "utf8");
    const out = new Map<string, string>();
    for (const m of text.matchAll(/\/\*\*([\s\S]*?)\*\/\s*\n\s*(?:async\s+|get\s+)?(\w+)\s*[(<]/g)) out.set(m[2]!, m[1]!);
    return out;
  }

  it("name the C function, linked, and the libvirt-python twin on friendly methods", () => {
    const domain = docs(join(root, "src/gen/friendly/domain.ts"));
    expect(domain.get("blockInfo")).toContain("{@link https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetBlockInfo | virDomainGetBlockInfo}");
    expect(domain.get("blockInfo")).toContain("libvirt-python: `virDomain.blockInfo`");
    expect(domain.get("uuid")).toContain("`virDomain.UUIDString`");
  });

  it("name a C function on every friendly method whose procedure has one", () => {
    const exact = docs(join(root, "src/gen/api/remote.ts"));
    const dir = join(root, "src/gen/friendly");
    const missing: string[] = [];
    let checked = 0;
    // The generated classes, and the Domain methods written by hand that they extend.
    const files = [...readdirSync(dir).filter((n) => n.endsWith(".ts")).map((n) => join(dir, n)), join(root, "src/api/domain-cpus.ts")];
    for (const f of files) {
      for (const [method, doc] of docs(f)) {
        const proc = /\bREMOTE_PROC_\w+/.exec(doc)?.[0];
        if (proc === undefined) continue;
        const key = Object.entries(remoteProgram.procedures).find(([, p]) => p.name === proc)?.[0];
        const hasC = key !== undefined && (exact.get(key) ?? "").includes("Implements `");
        checked++;
        // Linked to libvirt's reference, or named as internal (the migration steps of src/libvirt_internal.h).
        if (hasC && !/^\s*\* C: (\{@link https:\/\/libvirt\.org\/|`vir\w+` \(not public: )/m.test(doc)) missing.push(`${f.slice(root.length + 1)}: ${method}`);
      }
    }
    expect(checked).toBeGreaterThan(300);
    expect(missing).toEqual([]);
  });

  it("name the libvirt-python twin on exact methods", () => {
    const exact = docs(join(root, "src/gen/api/remote.ts"));
    expect(exact.get("domainGetXmlDesc")).toContain("libvirt-python: `virDomain.XMLDesc`.");
    expect(exact.get("connectListAllDomains")).toContain("libvirt-python: `virConnect.listAllDomains`.");
  });
});
