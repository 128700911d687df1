// A plain number whose type nobody states or knows is sent as a type that can hold it.
import { describe, expect, it } from "vitest";
import { toTypedParams } from "../../src/api/typed.js";
import { codecs } from "../../src/gen/remote_protocol.js";
import { encode } from "../../src/xdr/index.js";

describe("typed parameters: guessing a plain number's wire type", () => {
  it("an integer beyond 32 bits is guessed as a 64-bit type, and encodes", () => {
    const params = toTypedParams({ big: 5_000_000_000, neg: -3_000_000_000, small: 7, minus: -7 });
    expect(params).toEqual([
      { field: "big", value: { type: 4, ul: 5_000_000_000n } },
      { field: "neg", value: { type: 3, l: -3_000_000_000n } },
      { field: "small", value: { type: 2, ui: 7 } },
      { field: "minus", value: { type: 1, i: -7 } },
    ]);
    for (const p of params) expect(() => encode(codecs.remote_typed_param, p)).not.toThrow();
  });
});
