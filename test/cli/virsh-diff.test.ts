// The differential harness (virsh-diff/): its comparison, masks, diff and
// tally on programs of our own making (a harness that cannot fail is
// worthless), then every case of virsh-diff/cases/ against virsh 9.0.

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startDaemon } from "../../src/testing/daemon.js";
import type { CaseGroup, Driver } from "../../virsh-diff/case.js";
import { CASE_GROUPS } from "../../virsh-diff/cases/index.js";
import { caseCommand, checkGroups, parseVirshHelp, readVirshCatalog, registryNames, summaryLine, tally, verdicts } from "../../virsh-diff/census.js";
import { applyMasks, renderOutcome, sameOutcome, unifiedDiff } from "../../virsh-diff/compare.js";
import { runHarness } from "../../virsh-diff/harness.js";
import { runProgram } from "../../virsh-diff/spawn.js";
import { sharedDaemon } from "../e2e/daemon.js";

const virshVersion = ((): string | null => {
  try {
    return execFileSync("virsh", ["--version"], { encoding: "utf8" }).trim();
  } catch {
    return null;
  }
})();

describe("virsh-diff: comparing two outcomes", () => {
  it("masks replace every occurrence, on stdout and stderr, and leave the exit code", () => {
    const o = { code: 3, stdout: "CPU time: 1.2s\nCPU time: 3.4s\n", stderr: "at 17:00:01\n" };
    const masked = applyMasks(o, [
      { pattern: /\d+\.\ds/, replace: "N.Ns", why: "moves" },
      { pattern: /\d\d:\d\d:\d\d/g, replace: "T", why: "the clock" },
    ]);
    expect(masked).toEqual({ code: 3, stdout: "CPU time: N.Ns\nCPU time: N.Ns\n", stderr: "at T\n" });
  });

  it("an exit code, a byte of stdout or of stderr apart is a difference; two programs killed at the limit never match", () => {
    const base = { code: 0, stdout: "a\n", stderr: "" };
    expect(sameOutcome(base, { ...base })).toBe(true);
    expect(sameOutcome(base, { ...base, code: 1 })).toBe(false);
    expect(sameOutcome(base, { ...base, stdout: "a" })).toBe(false);
    expect(sameOutcome(base, { ...base, stderr: "\n" })).toBe(false);
    expect(sameOutcome({ ...base, ms: 5 }, { ...base, ms: 900 })).toBe(true);
    const killed = { code: -1, stdout: "", stderr: "", timedOut: true as const };
    expect(sameOutcome(killed, killed)).toBe(false);
  });

  it("a unified diff: virsh's lines as -, ours as +, three lines of context, invisible differences shown quoted", () => {
    const a = renderOutcome({ code: 0, stdout: "1\n2\n3\n4\n5\n6\n7\n8\n", stderr: "" });
    const b = renderOutcome({ code: 0, stdout: "1\n2\n3\n4\nfive \n6\n7\n8", stderr: "" });
    expect(unifiedDiff(a, b)).toBe(
      ["--- virsh", "+++ ours", "@@ -4,8 +4,9 @@", " 2", " 3", " 4", "-5", '+"five "', " 6", " 7", " 8", "+\\ no newline at end", " stderr: (empty)"].join("\n"),
    );
    expect(unifiedDiff(a, a)).toBe("");
  });
});

describe("virsh-diff: what counts", () => {
  it("a case counts for its first word after virsh's global options, a script's first command, or its command:", () => {
    expect(caseCommand({ args: ["net-info", "default"] })).toBe("net-info");
    expect(caseCommand({ args: ["-q", "-k", "5", "list", "--all"] })).toBe("list");
    expect(caseCommand({ args: ["list --all; hostname"] })).toBe("list");
    expect(caseCommand({ args: ["nosuch"], command: "help" })).toBe("help");
    expect(caseCommand({ args: ["-q"] })).toBeUndefined();
  });

  const help = [
    "Grouped commands:",
    "",
    " Domain Monitoring (help keyword 'monitor'):",
    "    dominfo                        domain information",
    "    list                           list domains",
    "",
    " Networking (help keyword 'network'):",
    "    net-list                       list networks",
    "",
  ].join("\n");

  it("virsh's commands come from `virsh help`; cases and lists naming a command we lack, or no group of virsh's, are reported", () => {
    const catalog = parseVirshHelp(help);
    expect([...catalog.commands]).toEqual(["dominfo", "list", "net-list"]);
    expect(catalog.groups.get("Networking")).toEqual({ keyword: "network", commands: ["net-list"] });
    const registry = new Map([
      ["list", "list"],
      ["dominfo", "dominfo"],
    ]);
    const groups: CaseGroup[] = [
      { group: "Domain Monitoring", commands: ["list", "domstats"], cases: [{ args: ["list"] }, { args: ["nosuch"] }, { args: ["nosuch"], command: "list" }] },
      { group: "monitor", commands: [], cases: [] },
      { group: "Monitoring", commands: [], cases: [] },
    ];
    expect(checkGroups(groups, registry, catalog).map((p) => p.message)).toEqual([
      "lists 'domstats', which our registry does not implement",
      `a case runs 'nosuch', which our registry does not implement (give its command: to count it for one): ["nosuch"]`,
      "'Monitoring' is not one of virsh's groups",
    ]);
  });

  it("a command is identical only with a case and every case identical; an alias's cases count for its command", () => {
    const catalog = parseVirshHelp(help);
    const registry = new Map([
      ["list", "list"],
      ["dominfo", "dominfo"],
      ["net-list", "net-list"],
      ["nets", "net-list"],
      ["ours-only", "ours-only"],
    ]);
    const results = verdicts(
      [
        { command: "list", identical: true },
        { command: "list", identical: true },
        { command: "dominfo", identical: true },
        { command: "dominfo", identical: false },
        { command: "nets", identical: true },
        { command: "nosuch", identical: true },
      ],
      registry,
    );
    const t = tally(["list", "dominfo", "net-list", "ours-only"], catalog, results);
    expect(t).toMatchObject({ identical: ["list", "net-list"], differing: ["dominfo"], noCase: ["ours-only"], notVirsh: ["ours-only"] });
    expect(summaryLine(t)).toBe("virsh commands: 4 implemented of 3, 2 identical");
  });

  it.skipIf(virshVersion !== "9.0.0")("virsh 9.0 lists 274 commands, aliases not counted", () => {
    const catalog = readVirshCatalog();
    expect(catalog.commands.size).toBe(274);
    expect(catalog.commands.has("list")).toBe(true);
    expect(catalog.commands.has("virsh")).toBe(false);
  });
});

describe("virsh-diff: the runner on programs of our own", () => {
  const dir = mkdtempSync(join(tmpdir(), "virsh-diff-unit-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const state = join(dir, "state");
  // Each fake program sees `-c URI word...`: $3 is the first word.
  const fake = (who: string, extra: string): [string, ...string[]] => [
    "sh",
    "-c",
    `case "$3" in set) echo ${who} > '${state}';; show) cat '${state}';; hang) exec sleep 30;; write) echo ${who} > "$4";; writesame) printf 'same\\0' > "$4";; env) echo "X=$X";; clock) date +%s%N;; ${extra} *) printf '%s\\n' "$*";; esac`,
    who,
  ];
  const virsh = fake("virsh", "");
  const ours = fake("ours", "bad) echo wrong; exit 1;;");

  it("identical cases, a differing one, a hung one killed and the run going on, masks, and state compared through after", async () => {
    const held: string[] = [];
    const seen: string[] = [];
    const group: CaseGroup = {
      group: "Fake",
      commands: [],
      files: { "a.xml": "<a/>" },
      setup: { test: [["setup", "{dir}/a.xml"]] },
      cases: [
        { args: ["same", "{dir}/a.xml"] },
        { args: ["bad"] },
        { args: ["hang"], on: ["test"] },
        { args: ["clock"], on: ["qemu"] },
        { args: ["clock"], on: ["qemu"], masks: [{ pattern: /^\d+$/m, replace: "N", why: "the clock moves" }] },
        { args: ["set"], before: [["same"]], after: [["show"]] },
      ],
    };
    const started = Date.now();
    const result = await runHarness({
      uris: { test: "test+tcp://x/default", qemu: "qemu+tcp://x/session" },
      groups: [group],
      virsh,
      ours,
      limitMs: 1500,
      holdOpen: async (uri) => {
        held.push(uri);
        return { close: async () => void held.push(`closed ${uri}`) };
      },
      onCase: (r) => seen.push(`${r.driver} ${r.args[0]} ${r.identical}`),
    });
    expect(Date.now() - started).toBeLessThan(30_000); // the 30 s sleep was cut short
    expect(held).toEqual(["test+tcp://x/default", "closed test+tcp://x/default"]);
    const verdict = (driver: Driver) => result.cases.filter((c) => c.driver === driver).map((c) => [c.args[0]!.replace(dir, "{dir}"), c.identical, c.timedOut]);
    expect(verdict("test")).toEqual([
      ["same", true, false],
      ["bad", false, false],
      ["hang", false, true],
      ["set", false, false],
    ]);
    expect(verdict("qemu")).toEqual([
      ["same", true, false],
      ["bad", false, false],
      ["clock", false, false],
      ["clock", true, false],
      ["set", false, false],
    ]);
    expect(seen).toHaveLength(9);
    const bad = result.cases.find((c) => c.args[0] === "bad")!;
    expect(bad.diff).toBe(
      ["--- virsh", "+++ ours", "@@ -1,4 +1,4 @@", "-exit code: 0", "+exit code: 1", " stdout:", "--c test+tcp://x/default bad", "+wrong", " stderr: (empty)"].join("\n"),
    );
    // {dir} was filled in: the fake echoes the path it was given.
    expect(result.cases[0]!.virsh.stdout).toMatch(/^-c test\+tcp:\/\/x\/default same \/\S*\/virsh-diff-[^/]+\/a\.xml\n$/);
    // The changed state shows only in the after step's output, and is reported there.
    const set = result.cases.find((c) => c.args[0] === "set")!;
    expect(set.diff).toContain(" after[0] stdout:\n-virsh\n+ours\n after[0] stderr: (empty)");
    expect(result.problems).toEqual([]);
  });

  it("a setup line that fails is reported", async () => {
    const result = await runHarness({
      uris: { test: "t", qemu: "q" },
      groups: [{ group: "Fake", commands: [], setup: { qemu: [["bad"]] }, cases: [{ args: ["same"], on: ["qemu"] }] }],
      virsh: ours,
      ours,
    });
    expect(result.problems.map((p) => p.message.split("\n")[0])).toEqual(["setup on qemu failed: virsh bad"]);
    expect(result.cases.map((c) => c.identical)).toEqual([true]);
  });

  it("a case's env reaches both sides' run, with {dir} filled in", async () => {
    const result = await runHarness({
      uris: { test: "t", qemu: "q" },
      groups: [{ group: "Fake", commands: [], cases: [{ args: ["env"], on: ["qemu"], env: { X: "{dir}/x" }, after: [["env"]] }] }],
      virsh,
      ours,
    });
    expect(result.cases[0]!.ours.stdout).toMatch(/^X=\/\S*\/virsh-diff-[^/]+\/x\n$/);
    expect(result.cases[0]!.identical).toBe(true);
  });

  it("files a run writes are compared (binary ones by digest) and removed before the other side runs", async () => {
    const result = await runHarness({
      uris: { test: "t", qemu: "q" },
      groups: [
        {
          group: "Fake",
          commands: [],
          files: { "sub/dir/keep": "x" },
          cases: [
            { args: ["write", "{dir}/sub/out"], on: ["qemu"], outputs: ["{dir}/sub/out"] },
            { args: ["writesame", "{dir}/out.bin"], on: ["qemu"], outputs: ["{dir}/out.bin"] },
            { args: ["same"], on: ["qemu"], outputs: ["{dir}/never-written"] },
          ],
        },
      ],
      virsh,
      ours,
    });
    expect(result.cases.map((c) => c.identical)).toEqual([false, true, true]);
    expect(result.cases[0]!.diff).toMatch(/ file \S+\/sub\/out stdout:\n-virsh\n\+ours\n/);
    expect(result.cases[1]!.diff).toBe("");
  });

  it("a byDesign case passes only when its diff is exactly the one it states; its command then counts as identical", async () => {
    const badDiff = ["--- virsh", "+++ ours", "@@ -1,4 +1,4 @@", "-exit code: 0", "+exit code: 1", " stdout:", "--c q bad", "+wrong", " stderr: (empty)"].join("\n");
    const result = await runHarness({
      uris: { test: "t", qemu: "q" },
      groups: [
        {
          group: "Fake",
          commands: [],
          cases: [
            { args: ["bad"], on: ["qemu"], byDesign: { why: "stated exactly", diff: badDiff } },
            { args: ["bad"], on: ["qemu"], byDesign: { why: "stated wrongly", diff: badDiff.replace("wrong", "right") } },
            { args: ["same"], on: ["qemu"], byDesign: { why: "no difference at all", diff: badDiff } },
          ],
        },
      ],
      virsh,
      ours,
    });
    expect(result.cases.map((c) => [c.identical, c.asDesigned, c.byDesign])).toEqual([
      [false, true, "stated exactly"],
      [false, false, "stated wrongly"],
      [true, false, "no difference at all"],
    ]);
    const registry = new Map([["bad", "bad"]]);
    const t = tally(["bad"], parseVirshHelp(" G (help keyword 'g'):\n    bad    x\n"), verdicts(result.cases.slice(0, 1), registry));
    expect(summaryLine(t, 1)).toBe("virsh commands: 1 implemented of 1, 1 identical (1 case differs by design, exactly as stated)");
    expect(tally(["bad"], parseVirshHelp(" G (help keyword 'g'):\n    bad    x\n"), verdicts(result.cases.slice(0, 2), registry)).identical).toEqual([]);
  });

  it("a case compared with virsh 11.3 runs that virsh with its environment, or is reported when it is not unpacked", async () => {
    const groups: CaseGroup[] = [{ group: "Fake", commands: [], cases: [{ args: ["env"], on: ["qemu"], reference: "11.3" }] }];
    const withIt = await runHarness({ uris: { test: "t", qemu: "q" }, groups, virsh, ours, virsh11: { line: ours, env: { X: "eleven" } } });
    expect(withIt.cases[0]!.virsh.stdout).toBe("X=eleven\n");
    expect(withIt.cases[0]!.ours.stdout).toBe("X=\n");
    const without = await runHarness({ uris: { test: "t", qemu: "q" }, groups, virsh, ours, virsh11: null });
    expect(without.cases).toEqual([]);
    expect(without.problems.map((p) => p.message)).toEqual(['a case compares with virsh 11.3, which is not unpacked (scripts/libvirt-11.sh): ["env"]']);
  });

  it("a program that cannot be started is an outcome, not a crash", async () => {
    const o = await runProgram(["/nonexistent/program", "x"]);
    expect(o.code).toBe(-1);
    expect(o.stderr).toContain("ENOENT");
  });
});

// Where libvirtd is installed at all (the shared daemon says so); against the system's 9.0 only.
const available = sharedDaemon() !== null && process.env["LIBVIRT_E2E_DAEMON"] !== "11.3" && virshVersion === "9.0.0";

describe.skipIf(!available)("virsh-diff: every case of virsh-diff/cases/ against virsh 9.0", () => {
  it("is identical (or differs exactly by design, or is a listed known difference), and no case names a command we lack", { timeout: 1_200_000 }, async () => {
    const started = Date.now();
    const d = await startDaemon();
    try {
      const catalog = readVirshCatalog();
      const registry = registryNames();
      const problems = checkGroups(CASE_GROUPS, registry, catalog).map((p) => `[${p.group}] ${p.message}`);
      const result = await runHarness({ uris: { test: d.uris.testTcp, qemu: d.uris.qemuTcp }, groups: CASE_GROUPS });
      problems.push(...result.problems.map((p) => `[${p.group}] ${p.message}`));
      const t = tally([...new Set(registry.values())], catalog, verdicts(result.cases, registry));
      const designed = result.cases.filter((c) => c.asDesigned).length;
      console.log(`${result.cases.length} cases in ${((Date.now() - started) / 1000).toFixed(1)} s; no case: ${t.noCase.join(" ") || "none"}\n${summaryLine(t, designed)}`);
      expect(problems).toEqual([]);
      const unexpected = result.cases.filter((c) => !c.identical && !c.asDesigned && c.knownDifference === undefined).map((c) => `${c.driver} ${c.args.join(" ")}\n${c.diff}`);
      expect(unexpected).toEqual([]);
      expect(result.cases.length).toBeGreaterThan(0);
    } finally {
      await d.stop();
    }
  });
});
