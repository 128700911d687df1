/**
 * Words that did not parse, or an option's value out of range: one message
 * per line, each printed as `error: LINE` on stderr, and nothing more runs;
 * exit code 1 (virsh's and virt-admin's way; README, "The command line").
 */
export class UsageError extends Error {
  override name = "UsageError";
  constructor(readonly lines: readonly string[]) {
    super(lines.join("; "));
  }
}

/**
 * A whole-number option, checked before anything is done with it: Number()
 * alone turns `abc` into NaN and `1e9` or ` 5 ` into numbers nobody meant.
 * `what` completes "--name takes ..." in the message.
 */
export function intOption(name: string, text: string, min: number, max: number, what = "a whole number"): number {
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(n >= min && n <= max)) throw new UsageError([`--${name} takes ${what} from ${min} to ${max}, not '${text}'`]);
  return n;
}

/**
 * `--timeout` in seconds, the one unit of every command (virsh's): a whole
 * number, at most what a Node timer can wait once turned into milliseconds.
 */
export function timeoutOption(text: string): number {
  return intOption("timeout", text, 1, Math.floor((2 ** 31 - 1) / 1000), "a whole number of seconds") * 1000;
}
