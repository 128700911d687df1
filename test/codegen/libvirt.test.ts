import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { INTERNAL_PROTOCOLS, CLIENT_PROTOCOLS, readHeaders, readSources } from "../../codegen/sources.js";
import { compile, generate } from "../../codegen/generate.js";
import { externValues } from "../../protocol/externs.js";
import { repoRoot } from "../../protocol/fetch.js";

const root = repoRoot();

/** Procedures in remote_protocol.x's remote_procedure enum, per release. */
const REMOTE_PROCEDURES: Record<string, number> = { "9.0.0": 443, "11.3.0": 453 };

describe.each(Object.keys(REMOTE_PROCEDURES))("libvirt %s .x files", (version) => {
  const tree = join(root, "protocol/upstream", version);
  const missing = !existsSync(tree);

  it.skipIf(missing)("all nine parse and resolve; the remote program has the known procedure count", () => {
    const sources = readSources(tree, true);
    expect(sources.map((s) => s.path)).toEqual([...CLIENT_PROTOCOLS, ...INTERNAL_PROTOCOLS]);
    const model = compile(sources, externValues());
    const programs = Object.fromEntries(model.modules.flatMap((m) => m.programs.map((p) => [p.name, p])));
    expect(Object.keys(programs).sort()).toEqual(
      ["admin", "keepalive", "lockSpace", "logManager", "lxc", "lxcMonitor", "qemu", "remote"].sort(),
    );
    expect(programs.remote!.procedures).toHaveLength(REMOTE_PROCEDURES[version]!);
    expect(programs.remote!.program).toBe(0x20008086);
    expect(programs.keepalive!.program).toBe(0x6b656570);
    // Every remote procedure but the three that carry nothing has its types found by name.
    const untyped = programs.remote!.procedures.filter((p) => !p.args && !p.ret && !p.message).map((p) => p.name);
    expect(untyped).toEqual([
      "REMOTE_PROC_CONNECT_CLOSE",
      "REMOTE_PROC_CONNECT_REGISTER_CLOSE_CALLBACK",
      "REMOTE_PROC_CONNECT_UNREGISTER_CLOSE_CALLBACK",
    ]);
  });

  it.skipIf(missing)("all nine generate TypeScript that compiles under the strict tsconfig", () => {
    const out = join(root, "test/.generated", version);
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    const files = generate(readSources(tree, true), {
      headers: readHeaders(tree),
      externs: externValues(),
      runtime: "../../../src/xdr/index.js",
    });
    for (const [name, text] of files) writeFileSync(join(out, name), text);
    writeFileSync(
      join(out, "tsconfig.json"),
      JSON.stringify({ extends: "../../../tsconfig.json", compilerOptions: { noEmit: true, rootDir: "../../.." }, include: ["*.ts"] }),
    );
    const tsc = join(root, "node_modules/.bin/tsc");
    // Throws with tsc's diagnostics on stdout if anything fails to compile.
    execFileSync(tsc, ["-p", join(out, "tsconfig.json")], { encoding: "utf8" });
    expect([...files.keys()]).toEqual(expect.arrayContaining(["remote_protocol.ts", "virterror.ts", "libvirt_domain.ts", "index.ts"]));
  });
});
