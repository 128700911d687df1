/**
 * Builds libvirt's own C XDR code (rpcgen output for the `.x` files, linked
 * against libtirpc) together with a caller-supplied `main`, so tests and
 * benchmarks can compare the TypeScript codecs with the real thing.
 *
 * Everything happens in a fresh directory under the OS temp dir. The `.x`
 * files' `%#include` lines name libvirt-internal headers (internal.h,
 * virxdrdefs.h, virsocket.h, <libvirt/libvirt.h>, ...); each gets a stub that
 * only defines the constants rpcgen's output needs, taken from
 * protocol/externs.ts. The generated `.c` files get the same IXDR_* rewrites
 * libvirt's build applies (src/rpc/genprotocol.pl).
 *
 * Usable outside the test suite: depends only on node, codegen and protocol.
 */
import { execFile } from "node:child_process";
import { existsSync, realpathSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, isAbsolute, join, relative, resolve } from "node:path";
import { promisify } from "node:util";
import { CLIENT_PROTOCOLS, INTERNAL_PROTOCOLS } from "../../codegen/sources.js";
import { compile } from "../../codegen/generate.js";
import { EXTERNS, externValues } from "../../protocol/externs.js";
import { repoRoot } from "../../protocol/fetch.js";

const run = promisify(execFile);

/** What the differential test and the codec benchmark compile by default. */
export const ORACLE_PROTOCOLS: readonly string[] = [
  "src/rpc/virnetprotocol.x",
  "src/rpc/virkeepaliveprotocol.x",
  "src/remote/remote_protocol.x",
  "src/remote/qemu_protocol.x",
  "src/remote/lxc_protocol.x",
];

export interface BuildOptions {
  /** A libvirt source tree, e.g. protocol/upstream/11.3.0. */
  tree: string;
  /**
   * `.x` files as paths inside `tree` (src/remote/remote_protocol.x) or bare
   * module names (remote_protocol). Default: ORACLE_PROTOCOLS.
   */
  protocols?: string[];
  /**
   * The C file with `main`. `#include "oracle.h"` pulls in <rpc/rpc.h> and
   * every protocol header (or include them one by one, with quotes).
   */
  mainSource: string;
  /** Extra gcc flags, used when compiling and linking (default -O2 comes first). */
  cflags?: string[];
}

export interface BuiltOracle {
  binary: string;
  /** The temp dir holding sources, stubs, objects and the binary. */
  dir: string;
  cleanup(): Promise<void>;
}

/** rpcgen + gcc + libtirpc: compiles the protocols and `mainSource` into one binary. */
export async function buildC(opts: BuildOptions): Promise<BuiltOracle> {
  const files = resolveProtocols(opts.tree, opts.protocols);
  const dir = await mkdtemp(join(tmpdir(), "libvirt-oracle-"));
  const cleanup = (): Promise<void> => rm(dir, { recursive: true, force: true });
  try {
    assertOutsideRepo(dir);
    const modules: string[] = [];
    const includes = new Set<string>();
    for (const file of files) {
      const text = await readFile(file, "utf8");
      const mod = basename(file, ".x");
      modules.push(mod);
      for (const m of text.matchAll(/^%#include\s+([<"])([^>"]+)[>"]/gm)) includes.add(`${m[1]}${m[2]}`);
      await writeFile(join(dir, `${mod}.x`), text);
    }
    const generated = new Set(modules.map((m) => `${m}.h`));
    for (const inc of includes) {
      const quoted = inc.startsWith('"');
      const target = inc.slice(1);
      if (generated.has(target)) continue;
      if (/protocol\.h$/.test(target)) {
        throw new Error(`a selected .x includes ${target}: add its .x file to protocols`);
      }
      // System headers stay real; libvirt's own get a stub. Angle-bracket
      // stubs live apart under include/ so that only they are on -I: the
      // generated headers must not shadow system ones (a features.x would
      // otherwise replace glibc's <features.h>).
      if (!quoted && !target.startsWith("libvirt/")) continue;
      const at = quoted ? join(dir, target) : join(dir, "include", target);
      await mkdir(dirname(at), { recursive: true });
      await writeFile(at, stubHeader(target));
    }
    await writeFile(join(dir, "oracle_externs.h"), externsHeader());
    await writeFile(join(dir, "oracle.h"), umbrellaHeader(modules));

    // rpcgen runs cpp on its input; relative names keep `#include "x.h"` plain.
    await Promise.all(
      modules.map(async (m) => {
        await rpcgen(dir, ["-h", `${m}.x`, "-o", `${m}.h`]);
        await rpcgen(dir, ["-c", `${m}.x`, "-o", `${m}.c`]);
        const c = await readFile(join(dir, `${m}.c`), "utf8");
        await writeFile(join(dir, `${m}.c`), libvirtFixups(c));
      }),
    );
    await writeFile(join(dir, "oracle_main.c"), opts.mainSource);

    const cflags = ["-O2", "-w", "-I/usr/include/tirpc", `-iquote${dir}`, `-I${join(dir, "include")}`, ...(opts.cflags ?? [])];
    const sources = [...modules.map((m) => `${m}.c`), "oracle_main.c"];
    await Promise.all(sources.map((s) => gcc(dir, [...cflags, "-c", s, "-o", s.replace(/\.c$/, ".o")])));
    const binary = join(dir, "oracle");
    await gcc(dir, [...cflags, "-o", binary, ...sources.map((s) => s.replace(/\.c$/, ".o")), "-ltirpc"]);
    return { binary, dir, cleanup };
  } catch (e) {
    await cleanup();
    throw e;
  }
}

/** Maps `protocols` to absolute `.x` paths, checking each exists. */
export function resolveProtocols(tree: string, protocols: readonly string[] = ORACLE_PROTOCOLS): string[] {
  const known = [...CLIENT_PROTOCOLS, ...INTERNAL_PROTOCOLS];
  return protocols.map((p) => {
    let rel = p;
    if (!p.endsWith(".x")) {
      const hit = known.find((k) => basename(k, ".x") === p);
      if (hit === undefined) throw new Error(`unknown protocol module ${p}`);
      rel = hit;
    }
    const abs = isAbsolute(rel) ? rel : resolve(tree, rel);
    if (!existsSync(abs)) throw new Error(`${abs}: no such .x file`);
    return abs;
  });
}

/**
 * The type names the binary has `xdr_<name>` for: every enum, struct, union
 * and typedef of the chosen modules, in `.x` order.
 */
export async function protocolTypeNames(tree: string, protocols?: string[]): Promise<string[]> {
  const files = resolveProtocols(tree, protocols);
  const sources = await Promise.all(files.map(async (f) => ({ path: relative(tree, f), text: await readFile(f, "utf8") })));
  const model = compile(sources, externValues());
  return model.modules.flatMap((m) => [...m.enums, ...m.types].map((t) => t.name));
}

/**
 * C source for a table of types, sorted by name so `bsearch` with `strcmp`
 * finds them:
 *   struct oracle_type { const char *name; xdrproc_t proc; size_t size; };
 *   static const struct oracle_type <table>[]; static const size_t <table>_count;
 */
export function cTypeTable(names: readonly string[], table = "oracle_types"): string {
  // Names are ASCII identifiers, so JS's default sort is strcmp's order.
  const sorted = [...new Set(names)].sort();
  for (const n of sorted) if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(n)) throw new Error(`not a C identifier: ${n}`);
  return [
    "#ifndef ORACLE_TYPE_DEFINED",
    "#define ORACLE_TYPE_DEFINED",
    "struct oracle_type { const char *name; xdrproc_t proc; size_t size; };",
    "#endif",
    `static const struct oracle_type ${table}[] = {`,
    ...sorted.map((n) => `  { "${n}", (xdrproc_t)xdr_${n}, sizeof(${n}) },`),
    "};",
    `static const size_t ${table}_count = ${sorted.length};`,
    "",
  ].join("\n");
}

function externsHeader(): string {
  const lines = Object.entries(EXTERNS).map(([name, e]) => `#define ${name} ${e.value} /* ${e.header} */`);
  return ["#ifndef ORACLE_EXTERNS_H", "#define ORACLE_EXTERNS_H", ...lines, "#endif", ""].join("\n");
}

function stubHeader(target: string): string {
  return `/* Stub for libvirt's ${target}: only the constants rpcgen's output uses. */\n#include "oracle_externs.h"\n`;
}

function umbrellaHeader(modules: readonly string[]): string {
  return [
    "#ifndef ORACLE_H",
    "#define ORACLE_H",
    "#include <rpc/rpc.h>",
    ...modules.map((m) => `#include "${m}.h"`),
    "#endif",
    "",
  ].join("\n");
}

/**
 * The semantic part of libvirt's genprotocol.pl: IXDR_GET_LONG yields a
 * `long` from an unsigned word, so libvirt reads 32-bit values with
 * IXDR_GET_INT32, and writes with IXDR_PUT_{U_,}INT32.
 */
export function libvirtFixups(c: string): string {
  return c
    .replace(/(?<!IXDR_GET_INT32 )IXDR_GET_LONG/g, "IXDR_GET_INT32")
    .replace(/\bIXDR_PUT_((U_)?)LONG\b/g, "(void)IXDR_PUT_$1INT32")
    .replace(/\bXDR_INLINE\b/g, "(int32_t*)XDR_INLINE");
}

function assertOutsideRepo(dir: string): void {
  let root: string;
  try {
    root = realpathSync(repoRoot());
  } catch {
    return;
  }
  const rel = relative(root, realpathSync(dir));
  if (!rel.startsWith("..") && !isAbsolute(rel)) throw new Error(`temp dir ${dir} is inside the repository; set TMPDIR elsewhere`);
}

async function rpcgen(cwd: string, args: string[]): Promise<void> {
  try {
    await run("rpcgen", args, { cwd, maxBuffer: 16 << 20 });
  } catch (e) {
    throw new Error(`rpcgen ${args.join(" ")} failed in ${cwd}: ${(e as { stderr?: string }).stderr ?? String(e)}`);
  }
}

async function gcc(cwd: string, args: string[]): Promise<void> {
  try {
    await run("gcc", args, { cwd, maxBuffer: 16 << 20 });
  } catch (e) {
    throw new Error(`gcc ${args.join(" ")} failed: ${(e as { stderr?: string }).stderr ?? String(e)}`);
  }
}
