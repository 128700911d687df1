// One program run to its end or to a time limit, its whole outcome kept.

import { spawn } from "node:child_process";
import { constants } from "node:os";

export interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Killed at the time limit (its code is then -1). */
  readonly timedOut?: true;
  /** How long it ran (not compared). */
  readonly ms?: number;
}

/** A program and its words: `["virsh", "-c", uri, "list"]`. */
export type CommandLine = readonly [string, ...string[]];

/** 60 s: far above any command's honest time on two loaded cores, so only a hang meets it. */
export const DEFAULT_LIMIT_MS = 60_000;

/**
 * The environment both programs see: the caller's, without the URI
 * variables (every run names its URI) and in the C locale, so that virsh's
 * messages are its untranslated ones, as ours are.
 */
export function cleanEnv(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: "C" };
  delete env["LIBVIRT_DEFAULT_URI"];
  delete env["VIRSH_DEFAULT_CONNECT_URI"];
  delete env["LANGUAGE"];
  return { ...env, ...extra };
}

/** Runs a command line with no input; a run past `limitMs` is killed (SIGKILL) and marked. */
export function runProgram(line: CommandLine, limitMs = DEFAULT_LIMIT_MS, env: Readonly<Record<string, string>> = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    const [file, ...args] = line;
    const started = Date.now();
    const child = spawn(file, args, { env: cleanEnv(env), stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, limitMs);
    let done = false;
    const finish = (code: number, spawnError?: Error): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      const stderr = Buffer.concat(err).toString("utf8") + (spawnError === undefined ? "" : `${spawnError.message}\n`);
      const stdout = Buffer.concat(out).toString("utf8");
      const ms = Date.now() - started;
      resolve(timedOut ? { code: -1, stdout, stderr, timedOut: true, ms } : { code, stdout, stderr, ms });
    };
    child.once("error", (e) => finish(-1, e));
    // 'close', not 'exit': the pipes are drained by then.
    child.once("close", (code, signal) => finish(code ?? (signal === null ? -1 : 128 + signalNumber(signal))));
  });
}

/** A shell's way of telling a killed program's end: 128 + the signal's number. */
function signalNumber(signal: NodeJS.Signals): number {
  return constants.signals[signal] ?? 0;
}
