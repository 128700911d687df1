// What follows virsh's `unknown command: 'x'`: for a command virsh has and
// this CLI does not run yet, a plain line saying so (virsh's own words
// would be false); for a near miss, the nearest names, found as git finds
// them (a weighted edit distance in which leaving a letter out is cheap, so
// `evnt` is near `event`, and a typed prefix is nearest of all).

import { virshCommandNames } from "./help-model.js";

/** Costs of turning what was typed into a candidate: swapping two letters, replacing one, adding one, removing one. */
const SWAP = 0;
const SUBSTITUTE = 2;
const INSERT = 1;
const DELETE = 3;
/** Beyond this, nothing is near enough to suggest (git's floor); a short word gets a lower one, so that `foo` brings no `reboot`. */
const FLOOR = 7;
const MAX_SHOWN = 5;

/** The cost of turning `typed` into `candidate`, a Damerau-Levenshtein distance with the weights above. */
export function editCost(typed: string, candidate: string): number {
  let before: number[] = [];
  let prev = Array.from({ length: candidate.length + 1 }, (_, j) => j * INSERT);
  for (let i = 0; i < typed.length; i++) {
    const row = [(i + 1) * DELETE];
    for (let j = 0; j < candidate.length; j++) {
      let cost = prev[j]! + (typed[i] === candidate[j] ? 0 : SUBSTITUTE);
      if (i > 0 && j > 0 && typed[i - 1] === candidate[j] && typed[i] === candidate[j - 1]) cost = Math.min(cost, before[j - 1]! + SWAP);
      cost = Math.min(cost, prev[j + 1]! + DELETE, row[j]! + INSERT);
      row.push(cost);
    }
    before = prev;
    prev = row;
  }
  return prev[candidate.length]!;
}

/** The nearest of `known` to `typed`, best first, ties in their given order; none when nothing is near. */
export function nearest(typed: string, known: readonly string[]): string[] {
  const scored = [...new Set(known)].map((name) => ({ name, score: name.startsWith(typed) ? 0 : editCost(typed, name) + 1 }));
  const best = Math.min(...scored.map((s) => s.score));
  if (!(best <= Math.min(FLOOR, typed.length + 1))) return [];
  return scored.filter((s) => s.score === best).map((s) => s.name);
}

/**
 * The lines after an unknown command's error: `implemented` tells the
 * names this CLI runs, `own` adds the commands of its own (`events`, `call`).
 */
export function unknownCommandLines(word: string, implemented: (name: string) => boolean, own: readonly string[]): { replace: boolean; lines: string[] } {
  const virshNames = virshCommandNames();
  if (virshNames.includes(word) && !implemented(word)) {
    return { replace: true, lines: [`command '${word}' is virsh's, but this CLI does not implement it yet (help ${word} shows virsh's page)`] };
  }
  const near = nearest(word, [...virshNames, ...own]);
  if (near.length === 0) return { replace: false, lines: [] };
  const shown = near.slice(0, MAX_SHOWN).map((n) => `'${n}'`);
  const more = near.length > MAX_SHOWN ? `, ... (${near.length} in all)` : "";
  return { replace: false, lines: [near.length === 1 ? `did you mean ${shown[0]}?` : `did you mean one of ${shown.join(", ")}${more}?`] };
}
