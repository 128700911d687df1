import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";
import { externValues } from "../protocol/externs.js";
import { generate, type SourceFile } from "./generate.js";
import { repoRoot } from "../protocol/fetch.js";
import { writeOrCheck } from "./output.js";

/** The `.x` files a client needs, as they sit in a libvirt source tree. */
export const CLIENT_PROTOCOLS = [
  "src/rpc/virnetprotocol.x",
  "src/rpc/virkeepaliveprotocol.x",
  "src/remote/remote_protocol.x",
  "src/remote/qemu_protocol.x",
  "src/remote/lxc_protocol.x",
  "src/admin/admin_protocol.x",
];

/** The daemons' private protocols: parsed and generated only with --all. */
export const INTERNAL_PROTOCOLS = [
  "src/locking/lock_protocol.x",
  "src/logging/log_protocol.x",
  "src/lxc/lxc_monitor_protocol.x",
];

/**
 * Reads the `.x` files from a libvirt source tree (the known paths) or from
 * a flat folder (every `*.x` in it).
 */
export function readSources(from: string, all = false): SourceFile[] {
  const wanted = all ? [...CLIENT_PROTOCOLS, ...INTERNAL_PROTOCOLS] : CLIENT_PROTOCOLS;
  if (existsSync(join(from, CLIENT_PROTOCOLS[2]!))) {
    return wanted
      .filter((p) => existsSync(join(from, p)))
      .map((p) => ({ path: p, text: readFileSync(join(from, p), "utf8") }));
  }
  const flat = readdirSync(from).filter((f) => f.endsWith(".x")).sort();
  if (flat.length === 0) throw new Error(`${from}: neither a libvirt source tree nor a folder of .x files`);
  return flat.map((f) => ({ path: f, text: readFileSync(join(from, f), "utf8") }));
}

/**
 * libvirt's public headers in the order libvirt.h includes them (later ones
 * use earlier ones' enum members), then the ones it does not include.
 * Empty when `from` is not a source tree.
 */
export function readHeaders(from: string): SourceFile[] {
  const dir = join(from, "include/libvirt");
  if (!existsSync(join(dir, "libvirt.h"))) return [];
  const present = readdirSync(dir).filter((f) => f.endsWith(".h") || f === "libvirt-common.h.in");
  const included = [...readFileSync(join(dir, "libvirt.h"), "utf8").matchAll(/#\s*include\s+<libvirt\/([\w-]+\.h)>/g)]
    .map((m) => (m[1] === "libvirt-common.h" ? "libvirt-common.h.in" : m[1]!))
    .filter((f) => present.includes(f));
  const rest = present.filter((f) => !included.includes(f) && f !== "libvirt.h").sort();
  const headers = [...included, ...rest].map((f) => ({ path: `include/libvirt/${f}`, text: readFileSync(join(dir, f), "utf8") }));
  // Not public, but its driver feature numbers are protocol facts (CONNECT_SUPPORTS_FEATURE).
  const internal = join(from, "src/libvirt_internal.h");
  if (existsSync(internal)) headers.push({ path: "src/libvirt_internal.h", text: readFileSync(internal, "utf8") });
  return headers;
}

/** virsh's event sources, when `from` is a source tree that has them. */
export function readVirsh(from: string): SourceFile[] {
  const names = ["virsh-domain-event.c", "virsh-network.c", "virsh-pool.c", "virsh-nodedev.c", "virsh-secret.c"];
  return names
    .map((n) => `tools/${n}`)
    .filter((p) => existsSync(join(from, p)))
    .map((p) => ({ path: p, text: readFileSync(join(from, p), "utf8") }));
}

/** Looks a file's sha256 up in the manifest to name its libvirt version. */
function manifestVersions(): (sha: string) => string | undefined {
  const manifest = JSON.parse(readFileSync(join(repoRoot(), "protocol/libvirt.json"), "utf8")) as {
    versions: Record<string, { files: Record<string, string> }>;
  };
  const bySha = new Map<string, string>();
  // Oldest first, so a file unchanged across versions names the pinned (newest) last.
  for (const [version, entry] of Object.entries(manifest.versions)) {
    for (const sha of Object.values(entry.files)) if (!bySha.has(sha)) bySha.set(sha, version);
  }
  return (sha) => bySha.get(sha);
}

export interface GenArgs {
  from: string;
  out: string;
  runtime: string;
  all: boolean;
  /** Compare with what is in `out` instead of writing. */
  check: boolean;
}

/** Generates into `out`; with `check`, returns the files that differ instead. */
export async function runGen(args: GenArgs): Promise<string[]> {
  const files = generate(readSources(args.from, args.all), {
    headers: readHeaders(args.from),
    virsh: readVirsh(args.from),
    externs: externValues(),
    runtime: args.runtime,
    versionOf: manifestVersions(),
  });
  const written = await writeOrCheck(args.out, files, args.check);
  return args.check ? written : written.map((p) => relative(process.cwd(), p));
}

export const GEN_USAGE = `usage: libvirt-remote gen --from DIR --out DIR [--runtime SPECIFIER] [--all] [--check]
  --from     a libvirt source tree, or a folder of .x files
  --out      where the TypeScript goes (one file per .x, plus index.ts)
  --runtime  module the generated code imports the XDR runtime from (default: libvirt-remote/xdr)
  --all      also the daemons' private protocols (lock, log, lxc monitor)
  --check    write nothing; exit 1 if the files in --out differ from the output`;

export async function genMain(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      from: { type: "string" },
      out: { type: "string" },
      runtime: { type: "string", default: "libvirt-remote/xdr" },
      all: { type: "boolean", default: false },
      check: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help || values.from === undefined || values.out === undefined) {
    (values.help ? process.stdout : process.stderr).write(`${GEN_USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const result = await runGen({ from: values.from, out: values.out, runtime: values.runtime, all: values.all, check: values.check });
  if (values.check) {
    if (result.length === 0) {
      process.stdout.write(`gen: ${values.out} matches the generator's output\n`);
      return 0;
    }
    process.stderr.write(`gen: generated code is out of date (run npm run gen):\n${result.map((f) => `  ${f}\n`).join("")}`);
    return 1;
  }
  process.stdout.write(`gen: wrote ${result.length} files to ${values.out}\n`);
  return 0;
}
