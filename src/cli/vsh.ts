// virsh's command shell (tools/vsh.c) as it runs parsed commands (see
// parse.ts): each in turn, after each a blank line (none with -q) or the
// -t timing; the exit code of the last command. Messages are vsh's, word
// for word.

import type { Client } from "../client/client.js";
import { helpText, type Command, type Opts } from "./command.js";
import type { GlobalOptions } from "./globals.js";
import type { ParsedCommand } from "./parse.js";
import { UsageError } from "./usage.js";
import { chooseUri, connect } from "./connection.js";

export interface VshContext {
  /** The connection, made on first use (virsh connects before the first command that needs one). */
  client(): Promise<Client>;
  globals: GlobalOptions;
  /** vshPrint: always. */
  print(text: string): void;
  /** vshPrintExtra: not with -q. */
  printExtra(text: string): void;
  /** vshError: `error: ` and the line on stderr, at once. */
  error(line: string): void;
  /**
   * virshReconnect for the `connect` command: the connection closed and
   * another opened (`uri` undefined: the current one again), which later
   * commands then use.
   */
  reconnect?(uri: string | undefined, readonly: boolean): Promise<Client>;
}

/** A virsh command: resolves false where virsh's handler returns false after printing its own errors. */
export type VirshCommand = Command<VshContext>;

/**
 * A command failed: virsh's own lines (vshError), then, as vshReportError
 * does after the handler returns, the library's error if there is one.
 */
export class CommandFailed extends Error {
  constructor(
    readonly lines: readonly string[],
    options?: ErrorOptions,
  ) {
    super(lines.join("; "), options);
  }
}

export function exclusive(opts: Opts, a: string, b: string): void {
  if (opts.bool(a) && opts.bool(b)) throw new CommandFailed([`Options --${a} and --${b} are mutually exclusive`]);
}

export function requires(opts: Opts, option: string, needed: string): void {
  if (opts.bool(option) && !opts.bool(needed)) throw new CommandFailed([`Option --${needed} is required by option --${option}`]);
}

/** vshCommandOptUInt and its message. */
export function uintOpt(opts: Opts, name: string): number | undefined {
  const text = opts.string(name);
  if (text === undefined) return undefined;
  const n = /^\s*\+?\d+$/.test(text) ? Number(text) : NaN;
  if (!(n <= 0xffffffff)) throw new CommandFailed([`Numeric value '${text}' for <${name}> option is malformed or out of range`]);
  return n;
}

/**
 * vshCommandOptULongLong (virStrToLong_ullp): strtoull's base-10 number,
 * blanks and `+` allowed in front, no `-`; with `wrap`
 * (vshCommandOptULongLongWrap, virStrToLong_ull) a `-` wraps modulo 2^64.
 */
export function ullOpt(opts: Opts, name: string, wrap = false): bigint | undefined {
  const text = opts.string(name);
  if (text === undefined) return undefined;
  const m = /^[ \t\n\v\f\r]*([+-]?)(\d+)$/.exec(text);
  const n = m === null ? null : BigInt(m[2]!);
  if (m === null || n === null || n > 0xffffffffffffffffn || (m[1] === "-" && !wrap)) {
    throw new CommandFailed([`Numeric value '${text}' for <${name}> option is malformed or out of range`]);
  }
  return m[1] === "-" ? (2n ** 64n - n) % 2n ** 64n : n;
}

// ---------------------------------------------------------------- running

/** The lines vshReportError adds for what a command threw. */
export function causeLines(e: unknown): string[] {
  if (e instanceof CommandFailed) return [...e.lines, ...(e.cause === undefined ? [] : causeLines(e.cause))];
  if (e instanceof UsageError) return [...e.lines];
  if (e instanceof Error) return [e.message];
  return [String(e)];
}

export interface RunOptions {
  globals: GlobalOptions;
  /** Opens the connection (lazily, once). */
  open(): Promise<Client>;
  out?: (text: string) => void;
  err?: (text: string) => void;
}

/**
 * vshCommandRun: every command in turn, a failing one included (its errors
 * printed, the script going on), the blank line or timing after each; the
 * result is the last command's.
 */
export async function runCommands(commands: readonly ParsedCommand<VshContext>[], o: RunOptions): Promise<{ ok: boolean; client: Client | null }> {
  const out = o.out ?? ((t: string) => void process.stdout.write(t));
  const err = o.err ?? ((t: string) => void process.stderr.write(t));
  let client: Client | null = null;
  let opening: Promise<Client> | null = null;
  // After `connect`, the connections are this runner's own: o.open() may hand back the one closed.
  let reconnected = false;
  const failed = (e: unknown): never => {
    throw new CommandFailed(["failed to connect to the hypervisor"], { cause: e });
  };
  const ctx: VshContext = {
    client: () => {
      // A failed connection is tried again by the next command, as virsh's connection handler does.
      opening ??= (reconnected ? connect(chooseUri(o.globals)) : o.open()).then(
        (c) => (client = c),
        (e: unknown) => {
          opening = null;
          throw new CommandFailed(["failed to connect to the hypervisor"], { cause: e });
        },
      );
      return opening;
    },
    globals: o.globals,
    print: out,
    printExtra: (t) => {
      if (!o.globals.quiet) out(t);
    },
    error: (line) => err(`error: ${line}\n`),
    reconnect: async (uri, readonly) => {
      // Without -c and before any command connected there is nothing to close.
      const previous = opening ?? (o.globals.connect !== undefined && !reconnected ? o.open() : null);
      reconnected = true;
      opening = null;
      client = null;
      await (await previous?.catch(() => null))?.close();
      // No --readonly and no URI keeps the mode of the connection it replaces, as virsh does.
      const ro = readonly || (uri === undefined && o.globals.readonly);
      const opened = await connect(uri ?? chooseUri(o.globals), { readOnly: ro }).catch(failed);
      if (uri !== undefined) o.globals.connect = uri;
      o.globals.readonly = ro;
      client = opened;
      opening = Promise.resolve(opened);
      return opened;
    },
  };
  let ok = true;
  for (const { def, opts } of commands) {
    const before = performance.now();
    try {
      if (opts.bool("help")) {
        // vshCommandParse makes `CMD --help` into `help CMD`: virsh's own page, where virsh has the command.
        out((await import("./virsh/help-pages.js")).virshPage(def.names[0]!) ?? helpText(def));
        ok = true;
      } else {
        ok = (await def.run(ctx, opts)) !== false;
      }
    } catch (e) {
      ok = false;
      for (const line of causeLines(e)) ctx.error(line);
    }
    const after = performance.now();
    // vshCommandRun's own rule: these two end the script, with no blank line or timing after them.
    if ((def.names[0] === "quit" || def.names[0] === "exit") && !opts.bool("help")) break;
    if (o.globals.timing) out(`\n(Time: ${(after - before).toFixed(3)} ms)\n\n`);
    else ctx.printExtra("\n");
  }
  return { ok, client };
}
