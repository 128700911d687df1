// virsh's command shell (tools/vsh.c): words of one command from argv, or
// `;`-separated commands from one string with vsh's quoting; options as
// vsh reads them (`--name value`, `--name=value`, data options by
// position); every command of a script parsed before any runs; after each
// command a blank line (none with -q) or the -t timing; the exit code of
// the last command. Messages are vsh's, word for word.

import type { Client } from "../client/client.js";
import type { GlobalOptions } from "./globals.js";

export type OptType = "bool" | "string" | "int" | "data" | "argv" | "alias";

export interface OptDef {
  name: string;
  type: OptType;
  /** VSH_OFLAG_REQ: the command cannot run without it. */
  required?: boolean;
  /** VSH_OFLAG_REQ_OPT: only as `--name value`, never by position. */
  named?: boolean;
  /** For an alias: the option it stands for (`name=value` makes a bool an option with that value). */
  alias?: string;
}

/** A command's parsed options: bools present, values, and the words of an argv option. */
export class Opts {
  constructor(private readonly values: ReadonlyMap<string, string[]>) {}
  bool(name: string): boolean {
    return this.values.has(name);
  }
  string(name: string): string | undefined {
    return this.values.get(name)?.[0];
  }
  argv(name: string): string[] {
    return this.values.get(name) ?? [];
  }
}

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
}

export interface VirshCommand {
  name: string;
  options: readonly OptDef[];
  /** Resolves false where virsh's handler returns false after printing its own errors. */
  run(ctx: VshContext, opts: Opts): Promise<boolean | void>;
}

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

/** Words that did not parse: vsh's lines, and nothing runs. */
export class VshSyntaxError extends Error {
  constructor(readonly lines: readonly string[]) {
    super(lines.join("; "));
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

// ---------------------------------------------------------------- tokenizing

type Token = { kind: "arg"; text: string } | { kind: "end-command" } | { kind: "end" };

/** vshCommandStringGetArg: blanks split, `;` and newline end a command, quotes and backslash as in sh, `#` a comment. */
export function* stringTokens(line: string): Generator<Token> {
  let p = 0;
  for (;;) {
    while (line[p] === " " || line[p] === "\t" || (line[p] === "\\" && line[p + 1] === "\n")) p += line[p] === "\\" ? 2 : 1;
    if (p >= line.length) {
      yield { kind: "end" };
      return;
    }
    if (line[p] === ";" || line[p] === "\n") {
      p++;
      yield { kind: "end-command" };
      continue;
    }
    if (line[p] === "#") {
      while (p < line.length && line[p] !== "\n") p++;
      if (p < line.length) p++;
      yield { kind: "end-command" };
      continue;
    }
    let single = false;
    let double = false;
    let out = "";
    while (p < line.length) {
      const c = line[p]!;
      if (!double && !single && (c === " " || c === "\t" || c === ";" || c === "\n")) break;
      if (!double && c === "'") {
        single = !single;
        p++;
        continue;
      }
      if (!single && c === "\\") {
        p++;
        if (p >= line.length) throw new VshSyntaxError(["dangling \\"]);
        if (line[p] === "\n") {
          p++;
          continue;
        }
      } else if (!single && c === '"') {
        double = !double;
        p++;
        continue;
      }
      out += line[p]!;
      p++;
    }
    if (double) throw new VshSyntaxError(['missing "']);
    yield { kind: "arg", text: out };
  }
}

export function* argvTokens(words: readonly string[]): Generator<Token> {
  for (const text of words) yield { kind: "arg", text };
  yield { kind: "end" };
}

// ---------------------------------------------------------------- parsing

export interface ParsedCommand {
  def: VirshCommand;
  opts: Opts;
}

/** Finds the command a name means; resolves to undefined for a name virsh would not know here. */
export type CommandLookup = (name: string) => Promise<VirshCommand | undefined>;

/** vshCommandParse: the whole script, or a VshSyntaxError with vsh's lines. */
export async function parseCommands(tokens: Iterable<Token>, lookup: CommandLookup): Promise<ParsedCommand[]> {
  const commands: ParsedCommand[] = [];
  const it = tokens[Symbol.iterator]();
  const next = (): Token => it.next().value ?? { kind: "end" };
  for (;;) {
    let def: VirshCommand | undefined;
    const values = new Map<string, string[]>();
    let dataOnly = false;
    let tk: Token;
    // Options that may still be given by position, in definition order.
    let positional: OptDef[] = [];
    for (;;) {
      tk = next();
      if (tk.kind !== "arg") break;
      const word = tk.text;
      if (def === undefined) {
        if (word.startsWith("#")) {
          // A comment to the end of the command.
          do tk = next();
          while (tk.kind === "arg");
          break;
        }
        def = await lookup(word);
        if (def === undefined) throw new VshSyntaxError([`unknown command: '${word}'`]);
        positional = def.options.filter((o) => o.type !== "bool" && o.type !== "alias" && o.named !== true);
        continue;
      }
      let opt: OptDef | undefined;
      let value: string | undefined;
      if (!dataOnly && word.startsWith("--") && /^[A-Za-z0-9]/.test(word.slice(2))) {
        const eq = word.indexOf("=");
        let name = word.slice(2, eq < 0 ? undefined : eq);
        let inline = eq < 0 ? undefined : word.slice(eq + 1);
        if (name === "help") {
          values.set("help", []);
          continue;
        }
        let found = def.options.find((o) => o.name === name);
        if (found?.type === "alias") {
          const target = found.alias!;
          const at = target.indexOf("=");
          if (at >= 0) {
            if (inline !== undefined) throw new VshSyntaxError([`invalid '=' after option --${found.name}`]);
            inline = target.slice(at + 1);
            name = target.slice(0, at);
          } else {
            name = target;
          }
          found = def.options.find((o) => o.name === name);
        }
        if (found === undefined) throw new VshSyntaxError([`command '${def.name}' doesn't support option --${name}`]);
        opt = found;
        if (values.has(opt.name) && opt.type !== "argv") throw new VshSyntaxError([`option --${opt.name} already seen`]);
        if (opt.type === "bool") {
          if (inline !== undefined) throw new VshSyntaxError([`invalid '=' after option --${opt.name}`]);
        } else if (inline !== undefined) {
          value = inline;
        } else {
          tk = next();
          if (tk.kind !== "arg") throw new VshSyntaxError([`expected syntax: --${opt.name} <${opt.type === "int" ? "number" : "string"}>`]);
          value = tk.text;
        }
        if (opt.type !== "argv") positional = positional.filter((o) => o !== opt);
      } else if (!dataOnly && word === "--") {
        dataOnly = true;
        continue;
      } else {
        opt = positional[0];
        if (opt === undefined) throw new VshSyntaxError([`unexpected data '${word}'`]);
        if (opt.type !== "argv") positional = positional.slice(1);
        value = word;
      }
      const list = values.get(opt.name) ?? [];
      if (value !== undefined) list.push(value);
      values.set(opt.name, list);
    }
    if (def !== undefined) {
      if (!values.has("help")) {
        const missing = def.options.filter((o) => o.required === true && !values.has(o.name));
        if (missing.length > 0) {
          throw new VshSyntaxError(
            missing.map((o) => (o.type === "data" || o.type === "argv" ? `command '${def!.name}' requires <${o.name}> option` : `command '${def!.name}' requires --${o.name} option`)),
          );
        }
      }
      commands.push({ def, opts: new Opts(values) });
    }
    if (tk.kind === "end") return commands;
  }
}

// ---------------------------------------------------------------- running

/** The lines vshReportError adds for what a command threw. */
function causeLines(e: unknown): string[] {
  if (e instanceof CommandFailed) return [...e.lines, ...(e.cause === undefined ? [] : causeLines(e.cause))];
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
export async function runCommands(commands: readonly ParsedCommand[], o: RunOptions): Promise<{ ok: boolean; client: Client | null }> {
  const out = o.out ?? ((t: string) => void process.stdout.write(t));
  const err = o.err ?? ((t: string) => void process.stderr.write(t));
  let client: Client | null = null;
  let opening: Promise<Client> | null = null;
  const ctx: VshContext = {
    client: () => {
      // A failed connection is tried again by the next command, as virsh's connection handler does.
      opening ??= o.open().then(
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
  };
  let ok = true;
  for (const { def, opts } of commands) {
    const before = performance.now();
    try {
      if (opts.bool("help")) {
        out(helpText(def));
        ok = true;
      } else {
        ok = (await def.run(ctx, opts)) !== false;
      }
    } catch (e) {
      ok = false;
      for (const line of causeLines(e)) ctx.error(line);
    }
    const after = performance.now();
    if (o.globals.timing) out(`\n(Time: ${(after - before).toFixed(3)} ms)\n\n`);
    else ctx.printExtra("\n");
  }
  return { ok, client };
}

/** A short list of the command's options (virsh's help text is its own, and long). */
function helpText(def: VirshCommand): string {
  const shown = def.options.filter((o) => o.type !== "alias");
  const words = shown.map((o) => {
    const w = o.type === "bool" ? `--${o.name}` : o.type === "data" || o.type === "argv" ? `<${o.name}>` : `--${o.name} <${o.type === "int" ? "number" : "string"}>`;
    return o.required === true ? w : `[${w}]`;
  });
  return `  SYNOPSIS\n    ${[def.name, ...words].join(" ")}\n`;
}
