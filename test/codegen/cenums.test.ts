import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseCEnums } from "../../codegen/cenums.js";
import { readHeaders } from "../../codegen/sources.js";
import { repoRoot } from "../../protocol/fetch.js";

describe("C header enums", () => {
  it("reads implicit values, shifts, references across headers, and drops sentinels", () => {
    const known = new Map<string, bigint>();
    parseCEnums("typedef enum { BASE_A = 1, BASE_B = 1 << 4 } base;", "a.h", known);
    const [e] = parseCEnums(
      `typedef enum {
        X_FIRST,            /* implicit 0 */
        X_SECOND,           /* implicit 1 */
        X_TEN = 10, X_ELEVEN,
        X_REF = BASE_B | BASE_A, /* another header's members */
        X_NEG = -1,
        X_HIGH = 1U << 31,
      # ifdef VIR_ENUM_SENTINELS
        X_LAST
      # endif
      } xThing;`,
      "b.h",
      known,
    );
    expect(e).toEqual({
      name: "xThing",
      members: [
        { name: "X_FIRST", value: 0 },
        { name: "X_SECOND", value: 1 },
        { name: "X_TEN", value: 10 },
        { name: "X_ELEVEN", value: 11 },
        { name: "X_REF", value: 17 },
        { name: "X_NEG", value: -1 },
        { name: "X_HIGH", value: 2 ** 31 },
      ],
    });
  });

  it("reports what it cannot evaluate with the header's position", () => {
    expect(() => parseCEnums("\n\nenum e { A = NOPE };", "c.h")).toThrow("c.h:3:1: cannot evaluate 'NOPE': unknown name NOPE");
  });

  describe.each(["9.0.0", "11.3.0"])("libvirt %s headers", (version) => {
    const tree = join(repoRoot(), "protocol/upstream", version);
    it.skipIf(!existsSync(tree))("all parse; known values come out right", () => {
      const known = new Map<string, bigint>();
      for (const h of readHeaders(tree)) parseCEnums(h.text, h.path, known);
      expect(known.get("VIR_ERR_NO_DOMAIN")).toBe(42n);
      expect(known.get("VIR_FROM_QEMU")).toBe(10n);
      expect(known.get("VIR_DOMAIN_EVENT_ID_LIFECYCLE")).toBe(0n);
      expect(known.get("VIR_DOMAIN_EVENT_ID_GRAPHICS")).toBe(5n);
      expect(known.get("VIR_DOMAIN_EVENT_STOPPED_DESTROYED")).toBe(1n);
      expect(known.has("VIR_ERR_NUMBER_LAST")).toBe(false);
    });
  });
});
