import { describe, expect, it } from "vitest";
import { formatTable, localTimestamp } from "../../src/cli/format/admin.js";
import { typedParamValue as formatTypedParam } from "../../src/cli/virsh/util.js";

describe("virt-admin's output formats", () => {
  it("prints a table as vshTable does, with and without the header", () => {
    // As virt-admin 9.0 printed srv-list for a libvirtd.
    expect(formatTable(["Id", "Name"], [["0", "libvirtd"], ["1", "admin"]])).toBe(
      " Id   Name\n----------------\n 0    libvirtd\n 1    admin\n",
    );
    expect(formatTable(["Id", "Name"], [["0", "libvirtd"], ["1", "admin"]], false)).toBe(" 0   libvirtd\n 1   admin\n");
    expect(formatTable(["Id", "Transport", "Connected since"], [])).toBe(" Id   Transport   Connected since\n-----------------------------------\n");
  });

  it("escapes control characters in cells and counts them as four columns", () => {
    expect(formatTable(["A", "B"], [["a\tb", "x"]])).toBe(" A        B\n-------------\n a\\x09b   x\n");
  });

  it("prints typed parameters as C's printf would", () => {
    expect(formatTypedParam({ type: 1, i: -5 })).toBe("-5");
    expect(formatTypedParam({ type: 4, ul: 18446744073709551615n })).toBe("18446744073709551615");
    expect(formatTypedParam({ type: 5, d: 0.5 })).toBe("0.500000");
    expect(formatTypedParam({ type: 6, b: 1 })).toBe("yes");
    expect(formatTypedParam({ type: 6, b: 0 })).toBe("no");
    expect(formatTypedParam({ type: 7, s: "unix" })).toBe("unix");
  });

  it("prints a client's timestamp in the local zone with a numeric offset", () => {
    const tz = process.env["TZ"];
    try {
      process.env["TZ"] = "UTC";
      expect(localTimestamp(0n)).toBe("1970-01-01 00:00:00+0000");
      process.env["TZ"] = "Asia/Kathmandu";
      expect(localTimestamp(1_700_000_000n)).toBe("2023-11-15 03:58:20+0545");
      process.env["TZ"] = "America/St_Johns";
      expect(localTimestamp(1_700_000_000n)).toBe("2023-11-14 18:43:20-0330");
    } finally {
      if (tz === undefined) delete process.env["TZ"];
      else process.env["TZ"] = tz;
    }
  });
});
