/** Wrong words on the command line: printed as they are, exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}
