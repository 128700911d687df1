import { closeSync } from "node:fs";
import { isatty } from "node:tty";

/**
 * The signals virsh's console traps while attached (tools/virsh-console.c,
 * virshRunConsole), with a handler that does nothing: the console goes on,
 * and the terminal is put back when it is left. A hung-up terminal still
 * ends it, as its input then ends.
 */
const TRAPPED = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGPIPE"] as const;

/** Traps those signals until the returned function is called. */
export function trapSignals(): () => void {
  const ignore = (): void => {};
  for (const s of TRAPPED) process.on(s, ignore);
  return () => {
    for (const s of TRAPPED) process.off(s, ignore);
  };
}

/**
 * Puts a terminal stdin in raw mode (no echo, no line editing, no signals
 * from keys) until the returned function is called, or the process exits
 * any other way (an uncaught error, process.exit): a shell never gets its
 * terminal back raw. Without a terminal, does nothing.
 */
export function rawTerminal(stdin: NodeJS.ReadStream = process.stdin): () => void {
  if (!stdin.isTTY) return () => {};
  stdin.setRawMode(true);
  const restore = (): void => {
    process.off("exit", restore);
    // A hung-up terminal refuses (EIO): there is nothing to put back then.
    try {
      stdin.setRawMode(false);
    } catch {
      // ignore
    }
  };
  process.on("exit", restore);
  return restore;
}

/** The terminal stdin was hung up (it no longer answers as a terminal). */
export function terminalGone(): boolean {
  return process.stdin.isTTY === true && !isatty(0);
}

/**
 * Exits after the terminal hung up. Node puts back, on exit, the settings of
 * every terminal it started on, and aborts when that fails (EIO on a hung-up
 * one); it skips a descriptor that has been closed, so stdin, stdout and
 * stderr are closed first (nothing more is written: this is the exit).
 */
export function exitWithoutTerminal(code: number): never {
  for (const fd of [0, 1, 2]) {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
  }
  process.exit(code);
}
