/**
 * Two `.x` modules generated together that use each other's types and
 * define the same names (alpha's alpha_point and beta's AlphaPoint are both
 * `AlphaPoint`; beta's constant `codec` is the runtime's codec()): the
 * output must compile, import the other module's symbols under aliases,
 * load in either order, and carry values across both modules.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { decode, encode } from "../../src/xdr/index.js";
import { hex } from "../helpers/bytes.js";
// Through the index, which loads alpha first: beta's program table is then
// evaluated while alpha is still loading, so it must not read alpha's tables.
import { alpha, beta } from "./crossmodule/expected/index.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const EXPECTED = fileURLToPath(new URL("./crossmodule/expected/", import.meta.url));

describe("crossmodule golden case: two modules sharing names", () => {
  it("imports the other module's AlphaPoint, its functions and the runtime's codec under aliases", () => {
    const a = readFileSync(join(EXPECTED, "alpha.ts"), "utf8");
    const b = readFileSync(join(EXPECTED, "beta.ts"), "utf8");
    expect(a).toContain('import type { AlphaPoint as AlphaPoint$1, BetaLabel, BetaSide } from "./beta.js";');
    expect(b).toContain('import type { AlphaKind, AlphaPoint as AlphaPoint$1, AlphaUsesBeta } from "./alpha.js";');
    expect(b).toMatch(/import \{ [^}]*\bcodec as codec\$1\b[^}]*\} from "..\/..\/..\/..\/src\/xdr\/index.js";/);
    expect(b).toContain("export const codec = 7;");
  });

  it("compiles under the project's strict settings (tsc, no errors)", () => {
    const dir = mkdtempSync(join(tmpdir(), "crossmodule-tsc-"));
    try {
      const config = {
        extends: join(ROOT, "tsconfig.json"),
        // typeRoots: the config sits in a temp dir, away from node_modules.
        compilerOptions: { noEmit: true, rootDir: ROOT, typeRoots: [join(ROOT, "node_modules/@types")] },
        files: ["alpha.ts", "beta.ts", "index.ts"].map((f) => join(EXPECTED, f)),
        include: [],
      };
      writeFileSync(join(dir, "tsconfig.json"), JSON.stringify(config));
      const tsc = spawnSync(join(ROOT, "node_modules/.bin/tsc"), ["-p", join(dir, "tsconfig.json")], { encoding: "utf8" });
      expect(tsc.stdout + tsc.stderr).toBe("");
      expect(tsc.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it("carries values through both modules, byte for byte", () => {
    const v: alpha.AlphaUsesBeta = {
      other: { inner: { x: 1, y: -1 }, kind: alpha.AlphaKind.ALPHA_TWO },
      label: "hi",
      side: beta.BetaSide.BETA_RIGHT,
      kind: alpha.AlphaKind.ALPHA_ONE,
    };
    const bytes = encode(alpha.codecs.alpha_uses_beta, v);
    expect(hex(bytes)).toBe(
      [
        "00000001 ffffffff 00000002", // other: beta's AlphaPoint { inner: alpha's alpha_point, kind }
        "00000002 68690000", // label: beta's beta_label
        "00000001 00000001", // side: beta's enum, kind: alpha's
      ].join(" ").replace(/ /g, ""),
    );
    expect(decode(alpha.codecs.alpha_uses_beta, bytes)).toEqual(v);
  });

  it("beta's program uses alpha's beta_move_args, with a union on beta's enum", () => {
    const move = beta.betaProgram.procedures.move;
    expect(move.args.name).toBe("beta_move_args");
    const args: alpha.BetaMoveArgs = {
      from: { x: 0, y: 0 },
      to: [
        { side: beta.BetaSide.BETA_LEFT, left: { x: 2, y: 3 } },
        { side: beta.BetaSide.BETA_RIGHT, right: { inner: { x: 4, y: 5 }, kind: alpha.AlphaKind.ALPHA_ONE } },
      ],
    };
    const bytes = encode(move.args, args);
    expect(hex(bytes)).toBe("00000000000000000000000200000000000000020000000300000001000000040000000500000001");
    expect(decode(move.args, bytes)).toEqual(args);
    expect(decode(alpha.codecs.beta_move_args, bytes)).toEqual(args);
  });
});
