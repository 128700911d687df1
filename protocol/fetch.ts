// Puts libvirt's upstream protocol sources into protocol/upstream/<version>/,
// keeping their paths inside libvirt's tree. They are never committed: this
// script fetches them (from a local tree/tarball, or Debian's source package
// via apt) and checks every file against the sha256 in protocol/libvirt.json.
//
//   node dist/protocol/fetch.js [--version V | --all] [--from DIR] [--dest DIR]

import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, copyFile, mkdir, mkdtemp, readFile, readdir, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs, promisify } from "node:util";
import { manifestPath, repoRoot, type Manifest, type VersionEntry } from "./manifest.js";

// Kept here too for the scripts and tests that import them from the fetch script.
export type { Manifest, VersionEntry } from "./manifest.js";
export { repoRoot } from "./manifest.js";

const run = promisify(execFile);

export interface FetchOptions {
  version?: string | undefined;
  /** A libvirt source tree, or a folder holding its tarball. Default: env LIBVIRT_SRC. */
  from?: string | undefined;
  /** Default: <repo>/protocol/upstream. */
  dest?: string | undefined;
  log?: ((msg: string) => void) | undefined;
}

export interface FetchResult {
  version: string;
  dir: string;
  files: string[];
  /** Where the files came from; "present" means the fast path (nothing to do). */
  source: "present" | "tree" | "tarball" | "apt";
}

export async function loadManifest(root = repoRoot()): Promise<Manifest> {
  return JSON.parse(await readFile(manifestPath(root), "utf8")) as Manifest;
}

async function sha256File(path: string): Promise<string> {
  return createHash("sha256").update(await readFile(path)).digest("hex");
}

/** Throws naming the first missing or mismatching file. */
async function verifyFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [name, expected] of Object.entries(files)) {
    const path = join(dir, name);
    if (!existsSync(path)) throw new Error(`${name} is missing`);
    const actual = await sha256File(path);
    if (actual !== expected) throw new Error(`checksum mismatch for ${name}: expected ${expected}, got ${actual}`);
  }
}

async function isComplete(dir: string, files: Record<string, string>): Promise<boolean> {
  try {
    await verifyFiles(dir, files);
    return true;
  } catch {
    return false;
  }
}

/** Extracts only the wanted files, dropping the tarball's top folder (libvirt-<v>/). */
async function extract(tarball: string, version: string, files: string[], into: string): Promise<void> {
  const members = files.map((f) => `libvirt-${version}/${f}`);
  try {
    await run("tar", ["-xJf", tarball, "-C", into, "--strip-components=1", ...members], { maxBuffer: 1 << 24 });
  } catch (err) {
    throw new Error(`tar could not extract from ${tarball}: ${errorLine(err)}`);
  }
}

async function copyTree(tree: string, files: string[], into: string): Promise<void> {
  for (const f of files) {
    const src = join(tree, f);
    if (!existsSync(src)) throw new Error(`${f} is missing from ${tree}`);
    await mkdir(dirname(join(into, f)), { recursive: true });
    await copyFile(src, join(into, f));
  }
}

// ---------------------------------------------------------------------------
// apt sources -> a private deb-src entry

export interface AptEntry {
  types: string[];
  uris: string[];
  suites: string[];
  components: string[];
  signedBy?: string;
}

/** Parses one-line (`.list`) or deb822 (`.sources`) apt source text, chosen by file name. */
export function parseAptSources(fileName: string, text: string): AptEntry[] {
  return fileName.endsWith(".sources") ? parseDeb822(text) : parseOneLine(text);
}

function parseOneLine(text: string): AptEntry[] {
  const entries: AptEntry[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.replace(/#.*/, "").trim();
    if (!line) continue;
    // deb [opt=val ...] URI SUITE COMPONENT...
    const m = /^(\S+)\s+(?:\[([^\]]*)\]\s+)?(\S+)\s+(\S+)\s*(.*)$/.exec(line);
    if (!m) continue;
    const [, type = "", opts = "", uri = "", suite = "", comps = ""] = m;
    const entry: AptEntry = { types: [type], uris: [uri], suites: [suite], components: comps.split(/\s+/).filter(Boolean) };
    const signed = /(?:^|\s)signed-by=(\S+)/.exec(opts)?.[1];
    if (signed) entry.signedBy = signed;
    entries.push(entry);
  }
  return entries;
}

function parseDeb822(text: string): AptEntry[] {
  const entries: AptEntry[] = [];
  for (const stanza of text.split(/\n[ \t]*\n/)) {
    const fields = new Map<string, string>();
    let key = "";
    for (const line of stanza.split("\n")) {
      if (line.startsWith("#")) continue;
      if (/^[ \t]/.test(line) && key) {
        // Continuation (e.g. an inline Signed-By key block): keep verbatim to write back.
        fields.set(key, `${fields.get(key) ?? ""}\n${line}`);
        continue;
      }
      const m = /^([\w-]+):\s*(.*)$/.exec(line);
      if (!m) continue;
      key = (m[1] ?? "").toLowerCase();
      fields.set(key, (m[2] ?? "").trim());
    }
    if (!fields.has("types") || /^(no|false)$/i.test(fields.get("enabled") ?? "")) continue;
    const list = (k: string): string[] => (fields.get(k) ?? "").split(/\s+/).filter(Boolean);
    const entry: AptEntry = { types: list("types"), uris: list("uris"), suites: list("suites"), components: list("components") };
    const signed = fields.get("signed-by");
    if (signed) entry.signedBy = signed;
    entries.push(entry);
  }
  return entries;
}

// Debian release names and aliases: how we tell Debian's archive from third-party
// repositories that also call their component "main" (e.g. "nodistro main").
const DEBIAN_SUITES = new Set(
  ("sid unstable testing stable oldstable oldoldstable experimental " +
    "jessie stretch buster bullseye bookworm trixie forky duke").split(" "),
);

function isDebianMain(e: AptEntry): boolean {
  if (!e.types.includes("deb") || !e.components.includes("main")) return false;
  // Security suites carry only patched packages, never the orig tarball we want.
  return e.suites.some((s) => !s.includes("security") && DEBIAN_SUITES.has(s.replace(/-(updates|backports|proposed-updates)$/, "")));
}

/**
 * From the machine's apt source files, the text of a deb822 `.sources` file
 * with deb-src entries for Debian's main archive in the given suites.
 */
export function debSrcSources(files: { name: string; text: string }[], suites: string[]): string {
  // One stanza per Signed-By, so each mirror keeps the key it was configured with.
  const byKey = new Map<string, Set<string>>();
  for (const f of files) {
    for (const e of parseAptSources(f.name, f.text).filter(isDebianMain)) {
      const uris = byKey.get(e.signedBy ?? "") ?? new Set<string>();
      for (const u of e.uris) uris.add(u);
      byKey.set(e.signedBy ?? "", uris);
    }
  }
  if (byKey.size === 0) throw new Error("no Debian main archive found in the apt sources");
  return [...byKey]
    .map(([key, uris]) =>
      [
        "Types: deb-src",
        `URIs: ${[...uris].join(" ")}`,
        `Suites: ${suites.join(" ")}`,
        "Components: main",
        ...(key ? [`Signed-By:${key.startsWith("\n") ? "" : " "}${key}`] : []),
      ].join("\n"),
    )
    .join("\n\n") + "\n";
}

async function machineAptSources(): Promise<{ name: string; text: string }[]> {
  const out: { name: string; text: string }[] = [];
  if (existsSync("/etc/apt/sources.list")) out.push({ name: "sources.list", text: await readFile("/etc/apt/sources.list", "utf8") });
  const partsDir = "/etc/apt/sources.list.d";
  const parts = existsSync(partsDir) ? (await readdir(partsDir)).sort() : [];
  for (const name of parts) {
    // apt itself reads only these two suffixes (e.g. "*.disabled" files are ignored).
    if (name.endsWith(".list") || name.endsWith(".sources")) out.push({ name, text: await readFile(join(partsDir, name), "utf8") });
  }
  return out;
}

/** "1:11.3.0-3+deb13u3" -> "11.3.0" */
export function upstreamVersion(debVersion: string): string {
  return debVersion.replace(/^\d+:/, "").replace(/-[^-]*$/, "");
}

/** Downloads the orig tarball with apt into `into`, using a private apt state dir; returns its path. */
async function aptDownload(version: string, entry: VersionEntry, into: string, log: (m: string) => void): Promise<string> {
  const aptDir = await mkdtemp(join(tmpdir(), "libvirt-apt-"));
  try {
    // apt downloads as the unprivileged _apt user, which must be able to reach lists/partial.
    await chmod(aptDir, 0o755);
    for (const d of ["sources.list.d", "lists/partial", "cache/archives/partial"]) await mkdir(join(aptDir, d), { recursive: true });
    await writeFile(join(aptDir, "sources.list.d", "libvirt-src.sources"), debSrcSources(await machineAptSources(), entry.debianSuites));
    const o = [
      ["Dir::Etc::SourceList", "/dev/null"],
      ["Dir::Etc::SourceParts", join(aptDir, "sources.list.d")],
      ["Dir::State::Lists", join(aptDir, "lists")],
      ["Dir::Cache", join(aptDir, "cache")],
    ].flatMap(([k, v]) => ["-o", `${k}=${v}`]);

    log(`apt-get update for deb-src ${entry.debianSuites.join(" ")}`);
    await apt("apt-get", [...o, "update"]);
    const showsrc = await apt("apt-cache", [...o, "showsrc", "libvirt"]);
    const candidates = [...showsrc.matchAll(/^Version: (\S+)$/gm)]
      .map((m) => m[1] ?? "")
      .filter((v) => upstreamVersion(v) === version);
    if (candidates.length === 0) throw new Error(`apt has no libvirt source with upstream version ${version} in ${entry.debianSuites.join(", ")}`);

    const tarball = join(into, entry.tarball.name);
    const errors: string[] = [];
    for (const debver of [...new Set(candidates)]) {
      // Missing .asc or debian.tar.xz make apt complain; only the orig tarball matters.
      await apt("apt-get", [...o, "source", "--download-only", "--tar-only", `libvirt=${debver}`], into).catch((e: unknown) =>
        errors.push(e instanceof Error ? e.message : String(e)),
      );
      if (existsSync(tarball)) {
        log(`downloaded ${entry.tarball.name} (libvirt=${debver})`);
        return tarball;
      }
    }
    throw new Error(`apt did not download ${entry.tarball.name} (tried ${candidates.join(", ")}): ${errors.at(-1) ?? "no error"}`);
  } finally {
    await rm(aptDir, { recursive: true, force: true });
  }
}

async function apt(cmd: string, args: string[], cwd?: string): Promise<string> {
  try {
    const { stdout } = await run(cmd, args, { maxBuffer: 1 << 26, ...(cwd ? { cwd } : {}) });
    return stdout;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") throw new Error(`${cmd} not found: use --from DIR (or LIBVIRT_SRC) with a libvirt tree or tarball`);
    throw new Error(`${cmd} ${args.at(-1) ?? ""} failed: ${errorLine(err)}`);
  }
}

/** The most telling line of a failed command's output (apt's "E:" line if any). */
function errorLine(err: unknown): string {
  const e = err as { stderr?: string; stdout?: string; message?: string };
  const lines = `${e.stderr ?? ""}\n${e.stdout ?? ""}`.split("\n").map((l) => l.trim()).filter(Boolean);
  return lines.find((l) => l.startsWith("E:")) ?? lines[0] ?? e.message ?? String(err);
}

// ---------------------------------------------------------------------------

export async function fetchProtocol(opts: FetchOptions = {}): Promise<FetchResult> {
  const log = opts.log ?? (() => {});
  const root = repoRoot();
  const manifest = await loadManifest(root);
  const version = opts.version ?? manifest.pinned;
  const entry = manifest.versions[version];
  if (!entry) throw new Error(`unknown libvirt version ${version} (manifest has ${Object.keys(manifest.versions).join(", ")})`);
  const names = Object.keys(entry.files);
  const dest = resolve(opts.dest ?? join(root, "protocol", "upstream"));
  const dir = join(dest, version);

  if (await isComplete(dir, entry.files)) return { version, dir, files: names, source: "present" };

  await mkdir(dest, { recursive: true });
  // Staged inside dest so the final rename stays on one filesystem; removed on any failure.
  const staging = await mkdtemp(join(dest, `.staging-${version}-`));
  const download = await mkdtemp(join(tmpdir(), "libvirt-src-"));
  try {
    let source: FetchResult["source"];
    const from = opts.from ?? process.env["LIBVIRT_SRC"];
    if (from) {
      if (existsSync(join(from, "src/remote/remote_protocol.x"))) {
        await copyTree(from, names, staging);
        source = "tree";
      } else {
        const tarball = [entry.tarball.name, `libvirt-${version}.tar.xz`].map((n) => join(from, n)).find(existsSync);
        if (!tarball) throw new Error(`${from} is neither a libvirt source tree nor holds ${entry.tarball.name} or libvirt-${version}.tar.xz`);
        await extract(tarball, version, names, staging);
        source = "tarball";
      }
    } else {
      const tarball = await aptDownload(version, entry, download, log);
      const actual = await sha256File(tarball);
      if (actual !== entry.tarball.sha256) throw new Error(`checksum mismatch for ${entry.tarball.name}: expected ${entry.tarball.sha256}, got ${actual}`);
      await extract(tarball, version, names, staging);
      source = "apt";
    }
    await verifyFiles(staging, entry.files);
    await chmod(staging, 0o755); // mkdtemp makes it 0700
    await rm(dir, { recursive: true, force: true });
    await rename(staging, dir);
    return { version, dir, files: names, source };
  } finally {
    await rm(staging, { recursive: true, force: true });
    await rm(download, { recursive: true, force: true });
  }
}

export async function main(argv = process.argv.slice(2)): Promise<number> {
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        version: { type: "string" },
        all: { type: "boolean" },
        from: { type: "string" },
        dest: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
    if (values.help) {
      console.log("usage: node dist/protocol/fetch.js [--version V | --all] [--from DIR] [--dest DIR]");
      return 0;
    }
    if (values.all && values.version) throw new Error("use either --version or --all");
    const versions = values.all ? Object.keys((await loadManifest()).versions) : [values.version];
    for (const version of versions) {
      const started = Date.now();
      const r = await fetchProtocol({ version, from: values.from, dest: values.dest, log: (m) => console.log(`  ${m}`) });
      const secs = ((Date.now() - started) / 1000).toFixed(1);
      console.log(
        r.source === "present"
          ? `libvirt ${r.version}: already present in ${r.dir} (${r.files.length} files verified)`
          : `libvirt ${r.version}: ${r.files.length} files from ${r.source} into ${r.dir} in ${secs}s`,
      );
    }
    return 0;
  } catch (err) {
    console.error(`fetch: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

// Run only as a script, not when imported (e.g. by tests).
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main();
}
