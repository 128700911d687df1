// libvirt 9.0's JSON as virsh's QEMU commands meet it (qemu-json.ts): the
// expected texts are what virsh 9.0 printed for the same input (yajl 2.1
// underneath), byte for byte.

import { describe, expect, it } from "vitest";
import { formatJson, JsonParseError, parseJson } from "../../src/cli/virsh/qemu-json.js";

const ARROW = "                     (right here) ------^\n";

function refusal(text: string): string {
  try {
    parseJson(text);
  } catch (e) {
    if (e instanceof JsonParseError) return e.message;
    throw e;
  }
  throw new Error(`'${text}' parsed`);
}

describe("qemu-json", () => {
  it("refuses what yajl refuses, with its error and arrow", () => {
    expect(refusal("{foo}")).toBe(`cannot parse json {foo}: lexical error: invalid string in json text.\n${" ".repeat(38)}{foo}\n${ARROW}`);
    expect(refusal('{"a":1,"a":2}')).toMatch(/^cannot parse json \{"a":1,"a":2\}: parse error: client cancelled parse via callback return value\n/);
    expect(refusal('{"a":1,}')).toMatch(/: parse error: invalid object key \(must be a string\)\n/);
    expect(refusal('{"a" 1}')).toMatch(/: parse error: object key and value must be separated by a colon \(':'\)\n/);
    expect(refusal('{"a":[1')).toMatch(/: parse error: premature EOF\n/);
    expect(refusal("{-}")).toMatch(/: lexical error: malformed number, a digit is required after the minus sign\.\n/);
    expect(refusal("{} x")).toMatch(/: parse error: trailing garbage\n/);
  });

  it("keeps numbers as written and keys in order", () => {
    expect(formatJson(parseJson('{ "b" : 1.50e3, "a": [true, null, "x\\u00e9/"] }'), false)).toBe('{"b":1.50e3,"a":[true,null,"xé/"]}');
  });

  it("beautifies as yajl does: two blanks, an empty container over two lines, a final newline", () => {
    expect(formatJson(parseJson('{"return":{},"id":"libvirt-1"}'), true)).toBe('{\n  "return": {\n\n  },\n  "id": "libvirt-1"\n}\n');
  });
});
