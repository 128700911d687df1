/**
 * `npm run virsh-diff` (`node dist/virsh-diff/run.js [--group NAME]
 * [--command NAME] [--driver test|qemu] [--verbose] [--timeout SECONDS]
 * [--jobs N] [--cli PATH]`, --cli naming another build of our main.js):
 * every case of cases/ run by virsh and by us on a throwaway daemon's test
 * driver and QEMU session driver, compared whole. Ends with
 * `virsh commands: N implemented of 274, M identical` and exits 0 only when
 * every implemented command (of the selection) is identical and no case
 * names a command we lack.
 */
import { parseArgs } from "node:util";
import { startDaemon } from "../src/testing/daemon.js";
import type { CaseGroup, Driver } from "./case.js";
import { CASE_GROUPS } from "./cases/index.js";
import { caseCommand, checkGroups, readVirshCatalog, registryNames, summaryLine, tally, verdicts, type VirshCatalog } from "./census.js";
import { renderOutcome } from "./compare.js";
import { type CaseResult, DRIVERS, runHarness } from "./harness.js";

const USAGE = "usage: run.js [--group NAME] [--command NAME] [--driver test|qemu] [--verbose] [--timeout SECONDS] [--jobs N] [--cli PATH]";

/** A group matches by virsh's name for it or its help keyword, in any case. */
function groupMatches(g: CaseGroup, name: string, catalog: VirshCatalog): boolean {
  const want = name.toLowerCase();
  return g.group.toLowerCase() === want || catalog.groups.get(g.group)?.keyword === want;
}

function caseLine(r: CaseResult): string {
  const verdict = r.timedOut ? "killed   " : r.identical ? "identical" : r.asDesigned ? "by design" : "differs  ";
  const known = r.knownDifference === undefined ? "" : r.identical ? "  (listed as a known difference, yet identical: drop knownDifference)" : `  (known: ${r.knownDifference})`;
  const designed =
    r.byDesign === undefined ? "" : r.identical ? "  (listed as by design, yet identical: drop byDesign)" : r.asDesigned ? `  (${r.byDesign})` : "  (by design, but not the diff it states)";
  return `${verdict} ${r.driver.padEnd(4)} ${r.args.map(shellWord).join(" ")}  [${r.group}, ${r.ms} ms]${known}${designed}`;
}

/** A word as a shell would need it typed, so a line can be pasted. */
function shellWord(w: string): string {
  return /^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replaceAll("'", "'\\''")}'`;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      group: { type: "string" },
      command: { type: "string" },
      driver: { type: "string" },
      verbose: { type: "boolean", default: false },
      timeout: { type: "string" },
      jobs: { type: "string" },
      cli: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values.driver !== undefined && !DRIVERS.includes(values.driver as Driver)) throw new Error(`--driver: test or qemu, not '${values.driver}'\n${USAGE}`);
  const limitMs = values.timeout === undefined ? undefined : Number(values.timeout) * 1000;
  if (limitMs !== undefined && !(limitMs > 0)) throw new Error(`--timeout: a number of seconds, not '${values.timeout}'`);
  const jobs = values.jobs === undefined ? undefined : Number(values.jobs);
  if (jobs !== undefined && !(Number.isInteger(jobs) && jobs > 0)) throw new Error(`--jobs: a whole number above 0, not '${values.jobs}'`);
  const started = Date.now();
  const catalog = readVirshCatalog();
  const registry = registryNames();
  const groups = CASE_GROUPS.filter((g) => values.group === undefined || groupMatches(g, values.group, catalog));
  if (groups.length === 0) throw new Error(`--group: no case group '${values.group}'`);
  const problems = checkGroups(groups, registry, catalog);
  for (const p of problems) console.log(`problem   [${p.group}] ${p.message}`);
  // The commands the summary counts: all we implement, or the selection's.
  const implemented = [...new Set(registry.values())];
  const selection =
    values.command !== undefined
      ? [registry.get(values.command) ?? values.command]
      : values.group !== undefined
        ? [...new Set(groups.flatMap((g) => [...g.commands, ...g.cases.map((c) => caseCommand(c) ?? "")]).map((n) => registry.get(n)).filter((n) => n !== undefined))]
        : implemented;

  const daemon = await startDaemon();
  const stop = (): void => {
    void daemon.stop().finally(() => process.exit(130));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  let cases: readonly CaseResult[];
  try {
    const result = await runHarness({
      uris: { test: daemon.uris.testTcp, qemu: daemon.uris.qemuTcp },
      groups,
      ...(values.driver === undefined ? {} : { drivers: [values.driver as Driver] }),
      ...(values.command === undefined ? {} : { command: values.command }),
      ...(limitMs === undefined ? {} : { limitMs }),
      ...(jobs === undefined ? {} : { jobs }),
      ...(values.cli === undefined ? {} : { ours: ["node", values.cli] as const }),
      onCase: (r) => {
        console.log(caseLine(r));
        if (r.diff !== "" && !r.asDesigned) console.log(r.diff.replace(/^/gm, "    "));
        else if (values.verbose) console.log(renderOutcome(r.ours).join("\n").replace(/^/gm, "    "));
      },
      onProblem: (p) => console.log(`problem   [${p.group}] ${p.message.replace(/\n/g, "\n    ")}`),
    });
    cases = result.cases;
    problems.push(...result.problems);
  } finally {
    await daemon.stop();
  }

  const t = tally(selection, catalog, verdicts(cases, registry));
  const list = (label: string, names: readonly string[]): void => {
    if (names.length > 0) console.log(`${label} (${names.length}): ${names.join(" ")}`);
  };
  console.log("");
  list("no case", t.noCase);
  list("differs", t.differing);
  list("not virsh's", t.notVirsh);
  if (problems.length > 0) console.log(`problems: ${problems.length}`);
  const slowest = [...cases].sort((a, b) => b.ms - a.ms).slice(0, 5);
  if (slowest.length > 0) console.log(`slowest: ${slowest.map((c) => `${c.driver} ${c.args.slice(0, 2).join(" ")} (${(c.ms / 1000).toFixed(1)} s)`).join(", ")}`);
  const per = DRIVERS.map((d) => `${cases.filter((c) => c.driver === d).length} on ${d}`).join(", ");
  console.log(`${cases.length} cases (${per}), ${cases.filter((c) => c.identical).length} identical, in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (selection !== implemented) console.log(`(the selection only: ${values.command !== undefined ? `--command ${values.command}` : `--group ${values.group}`})`);
  console.log(summaryLine(t, cases.filter((c) => c.asDesigned).length));
  return t.identical.length === t.implemented.length && problems.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(2);
  },
);
