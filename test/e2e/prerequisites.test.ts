import { afterEach, describe, expect, it, vi } from "vitest";
import { mustSkip } from "./prerequisites.js";

describe("an end-to-end suite that cannot run here", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("runs when nothing is missing, without a word", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    expect(mustSkip("suite A", { root: true, "/usr/sbin/sshd": true }, { CI: "1" })).toBe(false);
    expect(mustSkip("suite A", { root: true }, {})).toBe(false);
    expect(warn).not.toHaveBeenCalled();
  });

  it("fails in CI, naming the suite and everything it lacks", () => {
    expect(() => mustSkip("the SSH suite", { libvirtd: true, "/usr/sbin/sshd": false, root: false }, { CI: "true" })).toThrow(
      new Error("CI must run every end-to-end suite, but the SSH suite needs /usr/sbin/sshd, root"),
    );
    // CI set to anything, even empty, as global-setup.ts reads it.
    expect(() => mustSkip("the SSH suite", { root: false }, { CI: "" })).toThrow(/CI must run every end-to-end suite/);
  });

  it("elsewhere is skipped with one warning that says why", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    expect(mustSkip("suite B", { "/usr/bin/tcpdump": false, root: true }, {})).toBe(true);
    expect(mustSkip("suite B", { "/usr/bin/tcpdump": false, root: true }, {})).toBe(true);
    expect(warn.mock.calls).toEqual([["skipped: suite B needs /usr/bin/tcpdump"]]);
  });
});
