// The API reference's search finds a method by the names people know it by:
// its libvirt C function and its libvirt-python name (issue 26). Builds the
// reference as `npm run docs` does (TypeDoc from tools/typedoc, installed by
// that script) into a scratch folder, decodes its search index
// (assets/search.js: base64 of deflated JSON) and searches it as the page's
// own script does.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inflateSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "../..");
const typedoc = join(root, "tools/typedoc/node_modules/typedoc/bin/typedoc");
const installed = existsSync(typedoc);

interface Row {
  name: string;
  parent?: string;
  url: string;
}
interface LunrIndex {
  search(q: string): { ref: string; score: number }[];
}

let out = "";
let rows: Row[] = [];
let index: LunrIndex;

/** The search box's query and ranking (TypeDoc 0.28's main.js): `*word*` per word, names that start with the text first. */
function search(text: string): Row[] {
  const query = text.split(" ").map((w) => (w.length > 0 ? `*${w}*` : "")).join(" ");
  const hits = index.search(query).map((h) => {
    const row = rows[Number(h.ref)]!;
    const boost = row.name.toLowerCase().startsWith(text.toLowerCase()) ? 10 / (1 + Math.abs(row.name.length - text.length)) : 1;
    return { row, score: h.score * boost };
  });
  return hits.sort((a, b) => b.score - a.score).slice(0, 10).map((h) => h.row);
}

const label = (r: Row): string => `${r.parent ?? ""}.${r.name}`;

describe.skipIf(!installed)("docs search by C and libvirt-python names (needs tools/typedoc installed: npm run docs)", () => {
  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), "docs-search-"));
    const r = spawnSync(process.execPath, [typedoc, "--options", join(root, "tools/typedoc/typedoc.config.mjs"), "--out", out], { cwd: root, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`typedoc failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
    const js = readFileSync(join(out, "assets/search.js"), "utf8");
    const data = JSON.parse(inflateSync(Buffer.from(/"([^"]+)"/.exec(js)![1]!, "base64")).toString("utf8")) as { rows: Row[]; index: object };
    rows = data.rows;
    const lunr = createRequire(typedoc)("lunr") as { Index: { load(o: object): LunrIndex } };
    index = lunr.Index.load(data.index);
  }, 600_000);

  afterAll(() => {
    if (out !== "") rmSync(out, { recursive: true, force: true });
  });

  it("finds the friendly method first by its C function", () => {
    expect(label(search("virDomainGetBlockInfo")[0]!)).toBe("libvirt-remote.Domain.blockInfo");
    expect(label(search("virDomainGetXMLDesc")[0]!)).toBe("libvirt-remote.Domain.xmlDesc");
    // The exact layer's method is found too, after it.
    expect(search("virDomainGetBlockInfo").map(label)).toContain("libvirt-remote.Client.domainGetBlockInfo");
  });

  it("finds the friendly method by its libvirt-python name", () => {
    expect(label(search("virDomain.XMLDesc")[0]!)).toBe("libvirt-remote.Domain.xmlDesc");
    expect(search("XMLDesc").map(label)).toContain("libvirt-remote.Domain.xmlDesc");
    expect(label(search("virDomain.blockInfo")[0]!)).toBe("libvirt-remote.Domain.blockInfo");
    expect(search("virConnect.lookupByName").map(label).slice(0, 2)).toEqual(["libvirt-remote.Connection.domainLookupByName", "libvirt-remote.Connection.domain"]);
    expect(search("UUIDString").map(label)).toContain("libvirt-remote.Domain.uuid");
    expect(search("defineXML").map(label)).toContain("libvirt-remote.Connection.domainDefineXml");
  });

  it("keeps the handles' internals off the pages", () => {
    const handles = rows.filter((r) => r.parent === "libvirt-remote.Domain" || r.parent === "libvirt-remote.StoragePool").map((r) => r.name);
    expect(handles).toContain("blockInfo");
    expect(handles).not.toContain("current");
    expect(handles).not.toContain("ref");
  });

  it("writes a page per class and function, not per constant or protocol struct", () => {
    const files = (d: string): string[] => readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? files(join(d, n)) : [join(d, n)]));
    const all = files(out);
    expect(all.filter((f) => /VIR_[A-Z_]+\.html$/.test(f))).toEqual([]);
    expect(all.filter((f) => /\.Remote\w+(Args|Ret)\.html$/.test(f))).toEqual([]);
    expect(all.some((f) => f.endsWith("libvirt-remote.Domain.html"))).toBe(true);
    // About 10 MB now (27 MB before); a generous bound, so only a return of one page per constant or struct trips it.
    const bytes = all.reduce((n, f) => n + statSync(f).size, 0);
    expect(bytes).toBeLessThan(16_000_000);
  });
});
