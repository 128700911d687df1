/** Wrong words on the command line: printed as they are, exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/**
 * A whole-number option, checked before anything is done with it: Number()
 * alone turns `abc` into NaN and `1e9` or ` 5 ` into numbers nobody meant.
 * `what` completes "--name takes ..." in the message.
 */
export function intOption(name: string, text: string, min: number, max: number, what = "a whole number"): number {
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(n >= min && n <= max)) throw new UsageError(`--${name} takes ${what} from ${min} to ${max}, not '${text}'`);
  return n;
}
