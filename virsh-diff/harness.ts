// The differential run: each group's files, setup, cases and teardown on
// each driver, every case's words run by virsh and by us against the same
// state, and each comparison reported as it ends.

import { createHash } from "node:crypto";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { repoRoot } from "../protocol/manifest.js";
import { connect } from "../src/client/client.js";
import { libvirt11Prefix, prefixVirsh } from "../src/testing/prefix.js";
import type { CaseGroup, Driver, Mask, VirshCase } from "./case.js";
import { caseCommand, type CaseProblem } from "./census.js";
import { applyMasks, renderOutcome, sameOutcome, unifiedDiff } from "./compare.js";
import { DEFAULT_LIMIT_MS, type CommandLine, type Outcome, runProgram } from "./spawn.js";

export const DRIVERS: readonly Driver[] = ["test", "qemu"];

export interface HarnessOptions {
  readonly uris: Readonly<Record<Driver, string>>;
  readonly groups: readonly CaseGroup[];
  readonly drivers?: readonly Driver[];
  /** Only the cases that count for this command. */
  readonly command?: string;
  /** How virsh is run (before `-c URI`): `["virsh"]`. */
  readonly virsh?: CommandLine;
  /** virsh 11.3 and its environment, for the cases whose reference is 11.3 (default: scripts/libvirt-11.sh's, when unpacked). */
  readonly virsh11?: { readonly line: CommandLine; readonly env: Readonly<Record<string, string>> } | null;
  /** How we are run (before `-c URI`): `["node", "dist/src/cli/main.js"]`. */
  readonly ours?: CommandLine;
  /** A program still running after this long is killed and its case reported (default 60 s). */
  readonly limitMs?: number;
  /** Programs run at once, at most (default 2); only read-only cases run beside others. */
  readonly jobs?: number;
  /** Holds a connection open to the test driver while a group runs (default: our client), so its state survives between processes. */
  readonly holdOpen?: (uri: string) => Promise<{ close(): Promise<void> }>;
  readonly onCase?: (r: CaseResult) => void;
  readonly onProblem?: (p: CaseProblem) => void;
}

/** One case on one driver, compared. */
export interface CaseResult {
  readonly group: string;
  readonly driver: Driver;
  readonly command: string | undefined;
  readonly args: readonly string[];
  readonly identical: boolean;
  /** A byDesign case whose diff is exactly the one it states: it counts as its command's identical. */
  readonly asDesigned: boolean;
  readonly knownDifference?: string;
  readonly byDesign?: string;
  /** What differs, as a unified diff of each side's steps (empty when identical). */
  readonly diff: string;
  /** Each side's own run, masked. */
  readonly virsh: Outcome;
  readonly ours: Outcome;
  readonly timedOut: boolean;
  /** The programs' time, summed (waiting for a slot not counted). */
  readonly ms: number;
}

export interface HarnessResult {
  readonly cases: readonly CaseResult[];
  readonly problems: readonly CaseProblem[];
}

/** Our CLI as built (`npm run build`), beside this repository's dist/. */
export function builtCli(): CommandLine {
  return ["node", join(repoRoot(), "dist/src/cli/main.js")];
}

export async function runHarness(options: HarnessOptions): Promise<HarnessResult> {
  const cases: CaseResult[] = [];
  const problems: CaseProblem[] = [];
  const problem = (p: CaseProblem): void => {
    problems.push(p);
    options.onProblem?.(p);
  };
  const limitMs = options.limitMs ?? DEFAULT_LIMIT_MS;
  const slots = new Slots(options.jobs ?? 2);
  const sides: Sides = {
    virsh: options.virsh ?? ["virsh"],
    ours: options.ours ?? builtCli(),
    virsh11: options.virsh11 === undefined ? unpackedVirsh11() : options.virsh11,
    run: (line, env) => slots.run(() => runProgram(line, limitMs, env)),
  };
  const holdOpen = options.holdOpen ?? holdWithClient;
  for (const group of options.groups) {
    const selected = group.cases.filter((c) => options.command === undefined || caseCommand(c) === options.command);
    const drivers = (options.drivers ?? DRIVERS).filter((d) => selected.some((c) => (c.on ?? DRIVERS).includes(d)));
    if (drivers.length === 0) continue;
    const dir = await writeFiles(group.files ?? {});
    const fill = (words: readonly string[]): string[] => words.map((w) => w.replaceAll("{dir}", dir));
    try {
      for (const driver of drivers) {
        const uri = options.uris[driver];
        const held = driver === "test" ? await holdOpen(uri) : null;
        try {
          for (const line of group.setup?.[driver] ?? []) {
            const o = await sides.run([...sides.virsh, "-c", uri, ...fill(line)]);
            if (o.code !== 0) problem({ group: group.group, message: `setup on ${driver} failed: virsh ${fill(line).join(" ")}\n${renderOutcome(o).join("\n")}` });
          }
          // Read-only cases in a row run together (their programs share the slots); a case that changes state runs alone.
          const pending: Promise<CaseResult>[] = [];
          const settle = async (): Promise<void> => {
            for (const p of pending.splice(0)) {
              const r = await p;
              cases.push(r);
              options.onCase?.(r);
            }
          };
          for (const c of selected.filter((x) => (x.on ?? DRIVERS).includes(driver))) {
            if (c.reference === "11.3" && sides.virsh11 === null) {
              problem({ group: group.group, message: `a case compares with virsh 11.3, which is not unpacked (scripts/libvirt-11.sh): ${JSON.stringify(c.args)}` });
              continue;
            }
            if (readOnly(c)) {
              pending.push(runCase(group.group, driver, uri, withDir(c, fill), sides));
            } else {
              await settle();
              pending.push(runCase(group.group, driver, uri, withDir(c, fill), sides));
              await settle();
            }
          }
          await settle();
          for (const line of group.teardown?.[driver] ?? []) {
            const o = await sides.run([...sides.virsh, "-c", uri, ...fill(line)]);
            if (o.code !== 0) problem({ group: group.group, message: `teardown on ${driver} failed: virsh ${fill(line).join(" ")}\n${renderOutcome(o).join("\n")}` });
          }
        } finally {
          await held?.close();
        }
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  return { cases, problems };
}

interface Sides {
  readonly virsh: CommandLine;
  readonly virsh11: { readonly line: CommandLine; readonly env: Readonly<Record<string, string>> } | null;
  readonly ours: CommandLine;
  /** Runs a program when a slot is free. */
  readonly run: (line: CommandLine, env?: Readonly<Record<string, string>>) => Promise<Outcome>;
}

/** At most `n` programs at once (CI has two loaded cores); the rest wait in order. */
class Slots {
  private busy = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly n: number) {}
  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.busy >= this.n) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.busy++;
    try {
      return await job();
    } finally {
      // The slot passes straight to the next in line, or is freed.
      const next = this.waiting.shift();
      if (next === undefined) this.busy--;
      else next();
    }
  }
}

/** The case.ts format's rule: a case with no before or after changes no state (and one that writes files writes the same paths on both sides). */
function readOnly(c: VirshCase): boolean {
  return (c.before?.length ?? 0) === 0 && (c.after?.length ?? 0) === 0 && (c.outputs?.length ?? 0) === 0;
}

/**
 * A file a run wrote, as an outcome to compare (text as it is; binary as
 * its size and digest), then removed so that the other side writes afresh.
 */
async function takeFile(path: string): Promise<Outcome> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    return { code: 1, stdout: "", stderr: `${(e as NodeJS.ErrnoException).code ?? "unreadable"}\n` };
  }
  await rm(path, { force: true });
  const text = bytes.includes(0) ? `${bytes.length} bytes, sha256 ${createHash("sha256").update(bytes).digest("hex")}\n` : bytes.toString("utf8");
  return { code: 0, stdout: text, stderr: "" };
}

/** A case with `{dir}` filled in its words and steps (its command still read from the words as written). */
function withDir(c: VirshCase, fill: (w: readonly string[]) => string[]): VirshCase & { readonly counted: string | undefined } {
  return {
    ...c,
    counted: caseCommand(c),
    args: fill(c.args),
    ...(c.before === undefined ? {} : { before: c.before.map(fill) }),
    ...(c.after === undefined ? {} : { after: c.after.map(fill) }),
    ...(c.outputs === undefined ? {} : { outputs: fill(c.outputs) }),
    ...(c.env === undefined ? {} : { env: Object.fromEntries(Object.entries(c.env).map(([k, v]) => [k, fill([v])[0]!])) }),
  };
}

/** A step of one side: its label in the diff and its outcome, masked. */
interface Step {
  readonly label: string;
  readonly outcome: Outcome;
}

/**
 * A read-only case's two sides run at once (as slots allow); otherwise each
 * side runs between its own before and after, one side after the other. The before and after
 * steps' outputs are compared too: they show the state each side left.
 */
async function runCase(group: string, driver: Driver, uri: string, c: VirshCase & { readonly counted: string | undefined }, sides: Sides): Promise<CaseResult> {
  const masks: readonly Mask[] = c.masks ?? [];
  const step = async (label: string, prefix: CommandLine, words: readonly string[], env?: Readonly<Record<string, string>>): Promise<Step> => ({
    label,
    outcome: applyMasks(await sides.run([...prefix, "-c", uri, ...words], env), masks),
  });
  const side = async (prefix: CommandLine, env?: Readonly<Record<string, string>>): Promise<Step[]> => {
    const steps: Step[] = [];
    for (const [i, words] of (c.before ?? []).entries()) steps.push(await step(`before[${i}]`, sides.virsh, words));
    steps.push(await step("run", prefix, c.args, { ...env, ...c.env }));
    for (const path of c.outputs ?? []) steps.push({ label: `file ${path}`, outcome: await takeFile(path) });
    for (const [i, words] of (c.after ?? []).entries()) steps.push(await step(`after[${i}]`, sides.virsh, words));
    return steps;
  };
  const theirSide = (): Promise<Step[]> => (c.reference === "11.3" ? side(sides.virsh11!.line, sides.virsh11!.env) : side(sides.virsh));
  const [theirs, mine] = readOnly(c) ? await Promise.all([theirSide(), side(sides.ours)]) : [await theirSide(), await side(sides.ours)];
  const timedOut = [...theirs, ...mine].some((s) => s.outcome.timedOut === true);
  const identical = !timedOut && theirs.every((s, i) => sameOutcome(s.outcome, mine[i]!.outcome));
  const render = (steps: readonly Step[]): string[] => steps.flatMap((s) => renderOutcome(s.outcome, steps.length === 1 ? "" : s.label));
  const run = (steps: readonly Step[]): Outcome => steps.find((s) => s.label === "run")!.outcome;
  const diff = identical ? "" : unifiedDiff(render(theirs), render(mine));
  return {
    group,
    driver,
    command: c.counted,
    args: c.args,
    identical,
    asDesigned: !timedOut && c.byDesign !== undefined && diff === c.byDesign.diff,
    ...(c.knownDifference === undefined ? {} : { knownDifference: c.knownDifference }),
    ...(c.byDesign === undefined ? {} : { byDesign: c.byDesign.why }),
    diff,
    virsh: run(theirs),
    ours: run(mine),
    timedOut,
    ms: [...theirs, ...mine].reduce((sum, st) => sum + (st.outcome.ms ?? 0), 0),
  };
}

/** scripts/libvirt-11.sh's virsh 11.3, or null when it is not unpacked here. */
function unpackedVirsh11(): { line: CommandLine; env: Record<string, string> } | null {
  const found = prefixVirsh(libvirt11Prefix());
  return found === null ? null : { line: [found.binary], env: found.env };
}

/**
 * A fresh directory with the group's files (`{dir}` in their text filled
 * in: a guest's disk path), open to the daemon (it runs as another user):
 * it reads the files, and writes where a pool or a saved image goes.
 */
async function writeFiles(files: Readonly<Record<string, string>>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "virsh-diff-"));
  await chmod(dir, 0o777);
  for (const [name, content] of Object.entries(files)) {
    const path = join(dir, name);
    for (let d = dirname(path); d.length > dir.length; d = dirname(d)) {
      await mkdir(d, { recursive: true });
      await chmod(d, 0o777);
    }
    await writeFile(path, content.replaceAll("{dir}", dir));
    await chmod(path, 0o666);
  }
  return dir;
}

async function holdWithClient(uri: string): Promise<{ close(): Promise<void> }> {
  const client = await connect(uri);
  return { close: () => client.close() };
}
