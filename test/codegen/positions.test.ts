/**
 * Errors found after parsing (by the resolver, the program finder, the
 * emitter's name check, the header and virsh readers) point at the real
 * `file:line:col` of the `.x` (or C) source, not at line 1.
 */
import { describe, expect, it } from "vitest";
import { parseCEnums } from "../../codegen/cenums.js";
import { XGenError } from "../../codegen/errors.js";
import { compile, generate, type SourceFile } from "../../codegen/generate.js";
import { parseVirshSources } from "../../codegen/virsh.js";

function genError(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof XGenError) return e.message;
    throw e;
  }
  throw new Error("expected an XGenError");
}

const gen = (files: SourceFile[]): Map<string, string> => generate(files, { externs: {}, runtime: "rt" });

describe("model errors carry the source position", () => {
  const cases: [string, SourceFile[], string][] = [
    [
      "two names of one module mapping to one TypeScript name: at the second",
      [{ path: "m.x", text: "struct foo_bar { int a; };\n\n  struct fooBar { int b; };" }],
      "m.x:3:3: 'fooBar' and 'foo_bar' (line 1) both map to the TypeScript name FooBar",
    ],
    [
      "a procedure enum without its program constants: at the enum",
      [{ path: "p.x", text: "const X = 1;\n\nenum demo_procedure {\n    DEMO_PROC_A = 1\n};" }],
      "p.x:3:1: enum demo_procedure: no DEMO_PROGRAM and DEMO_PROTOCOL_VERSION constants",
    ],
    [
      "a procedure member with another prefix: at that member",
      [{ path: "p.x", text: "enum demo_procedure {\n    DEMO_PROC_A = 1,\n    OTHER_PROC_B = 2\n};" }],
      "p.x:3:5: enum demo_procedure: members do not share a *_PROC_ prefix (OTHER_PROC_B is not DEMO_PROC_*)",
    ],
    [
      "a type defined in two other files: at the use",
      [
        { path: "a.x", text: "struct shared { int x; };" },
        { path: "b.x", text: "struct shared { int y; };" },
        { path: "c.x", text: "struct user {\n    int n;\n    shared s;\n};" },
      ],
      "c.x:3:5: 'shared' is defined in several files (a, b)",
    ],
  ];
  for (const [what, files, message] of cases) {
    it(what, () => expect(genError(() => compile(files, {}))).toBe(message));
  }

  it("a constant named like a generated table: at the constant", () => {
    const text = "struct s { int a; };\n\nconst codecs = 1;";
    expect(genError(() => gen([{ path: "k.x", text }]))).toBe(
      "k.x:3:1: constant codecs would generate 'codecs', which the codec table (line 1) generates too",
    );
  });

  it("a constant named like a generated function: at the constant", () => {
    const text = "enum color { RED = 0 };\nconst isColor = 2;";
    expect(genError(() => gen([{ path: "k.x", text }]))).toBe(
      "k.x:2:1: constant isColor would generate 'isColor', which enum color (line 1) generates too",
    );
  });

  it("the same TypeScript name in two modules is no error: the printer aliases it", () => {
    const out = gen([
      { path: "a.x", text: "struct foo_bar { int a; };" },
      { path: "b.x", text: "struct fooBar { foo_bar inner; };" },
    ]);
    expect(out.get("b.ts")).toContain('import type { FooBar as FooBar$1 } from "./a.js";');
  });

  it("C header enums: the line and column of the enum", () => {
    const text = "/* x */\n\n  typedef enum {\n    A = 1 +,\n} bad;";
    expect(genError(() => parseCEnums(text, "h.h"))).toBe("h.h:3:3: cannot evaluate '1 +': unexpected end");
  });

  it("virsh sources: the string literal with the escape, comments kept in the count", () => {
    const text = '/* one\n two */\nVIR_ENUM_IMPL(virshX, X_LAST,\n    N_("ok"),\n    "tab\\there");';
    expect(genError(() => parseVirshSources([{ path: "tools/virsh-x.c", text }]))).toBe(
      'tools/virsh-x.c:5:5: unsupported escape in "tab\\there"',
    );
  });
});
