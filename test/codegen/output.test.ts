/** The generator's one writer: nested folders, stale files, and --check's drift report. */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { writeOutputs } from "../../codegen/output.js";

const files = [
  { path: "a.ts", text: "a\n" },
  { path: "friendly/b.ts", text: "b\n" },
  { path: "api/c.ts", text: "c\n" },
];

describe("codegen: writeOutputs", () => {
  let out: string;
  beforeEach(async () => (out = await mkdtemp(join(tmpdir(), "lr-gen-out-"))));
  afterEach(() => rm(out, { recursive: true, force: true }));

  it("writes every file, subfolders included, and then finds no drift", async () => {
    const w = await writeOutputs(out, files, false);
    expect(w.written.map((p) => p.slice(out.length + 1)).sort()).toEqual(["a.ts", "api/c.ts", "friendly/b.ts"]);
    expect(await readFile(join(out, "friendly/b.ts"), "utf8")).toBe("b\n");
    expect(await writeOutputs(out, files, true)).toEqual({ written: [], drift: [] });
  });

  it("--check names changed, missing and stale files in any generated folder and writes nothing", async () => {
    await writeOutputs(out, files, false);
    await writeFile(join(out, "api/c.ts"), "edited\n");
    await rm(join(out, "a.ts"));
    await writeFile(join(out, "friendly/old.ts"), "x\n");
    await writeFile(join(out, "notes.md"), "kept\n");
    const r = await writeOutputs(out, files, true);
    expect(r.drift.map((p) => p.slice(out.length + 1)).sort()).toEqual(["a.ts", "api/c.ts", "friendly/old.ts (not generated)"]);
    expect(existsSync(join(out, "a.ts"))).toBe(false);
    expect(await readFile(join(out, "api/c.ts"), "utf8")).toBe("edited\n");
  });

  it("writing removes stale .ts files of the generated folders only", async () => {
    await mkdir(join(out, "friendly"), { recursive: true });
    await mkdir(join(out, "other"), { recursive: true });
    await writeFile(join(out, "friendly/old.ts"), "x\n");
    await writeFile(join(out, "other/own.ts"), "y\n");
    await writeFile(join(out, "notes.md"), "kept\n");
    await writeOutputs(out, files, false);
    expect(existsSync(join(out, "friendly/old.ts"))).toBe(false);
    expect(existsSync(join(out, "other/own.ts"))).toBe(true);
    expect(existsSync(join(out, "notes.md"))).toBe(true);
  });
});
