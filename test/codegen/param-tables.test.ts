import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { paramFamilies, parseParamMacros, statedType } from "../../codegen/param-tables.js";
import { readHeaders } from "../../codegen/sources.js";
import { readManifest, repoRoot } from "../../protocol/manifest.js";


describe("typed-parameter tables from the headers' field macros", () => {
  it("reads the type however the doc comment words it, and 'multiple' fields", () => {
    expect(statedType("virDomainMigrate* params field: ... As VIR_TYPED_PARAM_ULLONG.")).toBe("ullong");
    expect(statedType("used while getting the copy operation into the mirrored phase, with a type of ullong.")).toBe("ullong");
    expect(statedType("the granularity in bytes ..., as an unsigned int.")).toBe("uint");
    expect(statedType("how much data in bytes can be in flight, as an unsigned long long.")).toBe("ullong");
    expect(statedType("a group name to allow sharing ..., as a string.")).toBe("string");
    expect(statedType("the parameter used to specify the savestate file")).toBeNull();
    const text = `
/**
 * VIR_X_ONE:
 *
 * virDomainMigrate* params multiple field: disks. As VIR_TYPED_PARAM_STRING.
 */
# define VIR_X_ONE "one"

/*
 * VIR_X_TWO:
 *
 * a plain comment, as an int. The parameter may be specified multiple times.
 */
# define VIR_X_TWO    "two"
# define VIR_X_BARE "bare"
`;
    expect(parseParamMacros(text)).toEqual([
      { macro: "VIR_X_ONE", field: "one", type: "string", repeat: true },
      { macro: "VIR_X_TWO", field: "two", type: "int", repeat: true },
    ]);
  });

  it("a family field whose type neither the headers nor the known exceptions give fails the generator", () => {
    const header = { path: "include/libvirt/libvirt-domain.h", text: `/**\n * VIR_DOMAIN_BLOCK_COPY_NEW:\n *\n * something new\n */\n# define VIR_DOMAIN_BLOCK_COPY_NEW "new"\n` };
    expect(() => paramFamilies([header])).toThrow(/no type for VIR_DOMAIN_BLOCK_COPY_NEW \("new"\) of BlockCopyParams/);
  });

  it("the pinned headers type every field of every family", () => {
    const root = repoRoot();
    const from = join(root, "protocol/upstream", readManifest(root).pinned);
    const families = paramFamilies(readHeaders(from));
    expect(families.map((f) => [f.name, f.fields.length > 0])).toEqual(families.map((f) => [f.name, true]));
    expect(families.flatMap((f) => f.fields.filter((x) => x.type === null))).toEqual([]);
  });
});
