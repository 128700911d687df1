import { describe, expect, it } from "vitest";
import { XGenError } from "../../codegen/errors.js";
import { compile } from "../../codegen/generate.js";
import { lex } from "../../codegen/lexer.js";
import { parse } from "../../codegen/parser.js";

function genError(text: string, externs: Record<string, number> = {}): string {
  try {
    compile([{ path: "bad.x", text }], externs);
  } catch (e) {
    if (e instanceof XGenError) return e.message;
    throw e;
  }
  throw new Error("expected an XGenError");
}

describe("lexer", () => {
  it("keeps comments with the token after them, marking same-line ones trailing", () => {
    const [a, semi, b] = lex("int a; /* note */\n/** doc */\nint", "t.x");
    expect(a!.loc).toEqual({ file: "t.x", line: 1, col: 1 });
    expect(semi!.text).toBe("a");
    expect(b!.comments).toEqual([]);
    const last = lex("x; /* note */\n/** doc */\ny", "t.x")[2]!;
    expect(last.comments.map((c) => [c.text, c.trailing])).toEqual([
      ["/* note */", true],
      ["/** doc */", false],
    ]);
  });

  it("skips % passthrough lines", () => {
    expect(lex('%#include "x.h"\nconst A = 1;', "t.x").map((t) => t.text)).toEqual(["const", "A", "=", "1", ";", ""]);
  });
});

describe("parser and resolver", () => {
  it("reads decimal, hex, octal and negative constants", () => {
    const m = compile([{ path: "c.x", text: "const A = 10; const B = 0x1F; const C = 017; const D = -3; const E = 0;" }], {});
    expect(m.modules[0]!.constants.map((c) => [c.name, c.value, c.radix])).toEqual([
      ["A", 10, 10], ["B", 31, 16], ["C", 15, 8], ["D", -3, 10], ["E", 0, 10],
    ]);
  });

  it("follows typedef chains down to the wire shape", () => {
    const m = compile([{ path: "t.x", text: "typedef string s<8>; typedef s *maybe; typedef maybe list<3>;" }], {});
    const list = m.modules[0]!.types.find((t) => t.name === "list")!;
    expect(list).toMatchObject({
      kind: "typedef",
      wire: { k: "array", max: 3, of: { k: "optional", alias: { name: "maybe" }, of: { k: "string", max: 8, alias: { name: "s" } } } },
    });
  });

  it("resolves names across files, as rpcgen output compiled together", () => {
    const m = compile(
      [
        { path: "a.x", text: "struct shared { int x; };" },
        { path: "b.x", text: "struct user { shared s; };" },
      ],
      {},
    );
    expect(m.modules[1]!.types[0]).toMatchObject({ fields: [{ wire: { k: "struct", ref: { name: "shared", module: "a" } } }] });
  });

  it("drops C's `typedef struct x x;`", () => {
    const f = parse("struct x { int a; };\ntypedef struct x x;", "t.x");
    expect(f.definitions.map((d) => d.kind)).toEqual(["struct"]);
  });

  const bad: [string, string, string][] = [
    ["an unknown type", "struct s {\n  nosuch x;\n};", "bad.x:2:3: unknown type 'nosuch'"],
    ["an unknown constant", "struct s {\n  int x<NOPE>;\n};", "bad.x:2:9: unknown constant 'NOPE' (not defined here nor in the externs table)"],
    ["a missing semicolon", "const A = 1\nconst B = 2;", "bad.x:2:1: expected ';', found 'const'"],
    ["a stray character", "const A = 1 @;", "bad.x:1:13: unexpected character \"@\""],
    ["a malformed number", "const A = 09;", "bad.x:1:11: malformed number '09'"],
    ["a duplicate name", "const A = 1;\nconst A = 2;", "bad.x:2:1: 'A' is defined twice"],
    ["a string without bounds", "struct s { string x; };", "bad.x:1:12: string x must be declared string x<> or <max>"],
    ["a bare opaque", "struct s { opaque x; };", "bad.x:1:12: opaque x needs [size] or <max>"],
    ["an unterminated comment", "const A = 1; /* oops", "bad.x:1:14: unterminated comment"],
    ["a self-referencing constant", "const A = B;\nconst B = A;", "bad.x:1:11: constant 'B' is defined in terms of itself"],
    ["a duplicate union case", "union u switch (int d) {\ncase 1: int a;\ncase 1: int b;\n};", "bad.x:3:6: union u: case 1 appears twice"],
    ["a bad discriminant", "union u switch (string d<>) { case 1: void; };", "bad.x:1:17: union u: discriminant must be int, unsigned int or an enum"],
    ["a preprocessor line", "#define X 1", "bad.x:1:1: C preprocessor directives are not supported; expand them first"],
    ["rpcgen programs", "program P { version V { void F(void) = 1; } = 1; } = 1;", "bad.x:1:1: rpcgen 'program' definitions are not supported (libvirt does not use them)"],
  ];
  for (const [what, text, message] of bad) {
    it(`reports ${what} as file:line:col`, () => expect(genError(text)).toBe(message));
  }
});
