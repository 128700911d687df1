/**
 * A command that failed at a step virsh names: virsh's words for the step
 * ("cannot receive data from volume V"), then the cause, on one line.
 */
export class CommandError extends Error {
  override name = "CommandError";
  constructor(
    readonly step: string,
    cause: unknown,
  ) {
    super(cause instanceof Error ? `${step}: ${cause.message}` : step, { cause });
  }
}
