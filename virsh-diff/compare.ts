// Two outcomes of the same words, made comparable (masks) and compared
// whole; where they differ, a unified diff of the two, as a person reads it.

import type { Mask } from "./case.js";
import type { Outcome } from "./spawn.js";

/** Replaces every masked value in stdout and stderr (each mask's pattern applied globally). */
export function applyMasks(o: Outcome, masks: readonly Mask[]): Outcome {
  const masked = (text: string): string => masks.reduce((t, m) => t.replace(globally(m.pattern), m.replace), text);
  return { ...o, stdout: masked(o.stdout), stderr: masked(o.stderr) };
}

/** A mask written without the g flag still means every occurrence. */
function globally(re: RegExp): RegExp {
  return re.global ? re : new RegExp(re.source, `${re.flags}g`);
}

/** Same exit code, same bytes on stdout and on stderr, and neither was killed (two hangs are not a match). */
export function sameOutcome(a: Outcome, b: Outcome): boolean {
  return a.timedOut !== true && b.timedOut !== true && a.code === b.code && a.stdout === b.stdout && a.stderr === b.stderr;
}

/** An outcome as lines: the exit code, then each stream under a heading; a missing final newline is said. */
export function renderOutcome(o: Outcome, label = ""): string[] {
  const head = label === "" ? "" : `${label} `;
  return [
    `${head}exit code: ${o.timedOut === true ? "killed at the time limit" : o.code}`,
    ...streamLines(`${head}stdout`, o.stdout),
    ...streamLines(`${head}stderr`, o.stderr),
  ];
}

function streamLines(name: string, text: string): string[] {
  if (text === "") return [`${name}: (empty)`];
  const lines = text.split("\n");
  const ended = lines[lines.length - 1] === "";
  if (ended) lines.pop();
  // Trailing blanks and control characters are invisible in a diff: such a line is shown quoted.
  const unseen = (l: string): boolean => /\s$/.test(l) || [...l].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f);
  const shown = lines.map((l) => (unseen(l) ? JSON.stringify(l) : l));
  return [`${name}:`, ...shown, ...(ended ? [] : ["\\ no newline at end"])];
}

/**
 * A unified diff of two texts' lines (`-` virsh's, `+` ours), with
 * `context` lines around each change. The longest common subsequence is
 * found after the common head and tail are set aside, which leaves little
 * for the quadratic table in outputs that mostly agree.
 */
export function unifiedDiff(a: readonly string[], b: readonly string[], labels: readonly [string, string] = ["virsh", "ours"], context = 3): string {
  const ops = diffOps(a, b);
  if (ops.every((op) => op.kind === " ")) return "";
  const out = [`--- ${labels[0]}`, `+++ ${labels[1]}`];
  // Hunks: runs of changes with their context, merged where contexts touch.
  const changed = ops.map((op, i) => (op.kind === " " ? -1 : i)).filter((i) => i >= 0);
  let start = 0;
  while (start < changed.length) {
    let end = start;
    while (end + 1 < changed.length && changed[end + 1]! - changed[end]! <= 2 * context + 1) end++;
    const from = Math.max(0, changed[start]! - context);
    const to = Math.min(ops.length, changed[end]! + context + 1);
    const aStart = ops.slice(0, from).filter((op) => op.kind !== "+").length;
    const bStart = ops.slice(0, from).filter((op) => op.kind !== "-").length;
    const hunk = ops.slice(from, to);
    const aLen = hunk.filter((op) => op.kind !== "+").length;
    const bLen = hunk.filter((op) => op.kind !== "-").length;
    out.push(`@@ -${aStart + 1},${aLen} +${bStart + 1},${bLen} @@`);
    for (const op of hunk) out.push(`${op.kind}${op.line}`);
    start = end + 1;
  }
  return out.join("\n");
}

interface DiffOp {
  kind: " " | "-" | "+";
  line: string;
}

function diffOps(a: readonly string[], b: readonly string[]): DiffOp[] {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const am = a.slice(head, a.length - tail);
  const bm = b.slice(head, b.length - tail);
  // lcs[i][j]: the longest common subsequence of am[i..] and bm[j..].
  const lcs = Array.from({ length: am.length + 1 }, () => new Uint32Array(bm.length + 1));
  for (let i = am.length - 1; i >= 0; i--) {
    for (let j = bm.length - 1; j >= 0; j--) {
      lcs[i]![j] = am[i] === bm[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const middle: DiffOp[] = [];
  let i = 0;
  let j = 0;
  while (i < am.length || j < bm.length) {
    if (i < am.length && j < bm.length && am[i] === bm[j]) {
      middle.push({ kind: " ", line: am[i++]! });
      j++;
    } else if (i < am.length && (j === bm.length || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
      middle.push({ kind: "-", line: am[i++]! });
    } else {
      middle.push({ kind: "+", line: bm[j++]! });
    }
  }
  const same = (lines: readonly string[]): DiffOp[] => lines.map((line) => ({ kind: " ", line }));
  return [...same(a.slice(0, head)), ...middle, ...same(a.slice(a.length - tail))];
}
