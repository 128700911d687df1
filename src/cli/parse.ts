// The one parser of every command (tools/vsh.c, vshCommandParse): words of
// one command from argv, or `;`-separated commands from one string with
// vsh's quoting; options as vsh reads them (`--name value`, `--name=value`,
// data options by position); every command of a script parsed before any
// runs. Messages are vsh's, word for word, for every family.

import { Opts, type Command, type OptDef } from "./command.js";
import { UsageError } from "./usage.js";

/** vsh's `unknown command: 'x'`, with the word, so that the entry can add what comes after it (did you mean). */
export class UnknownCommandError extends UsageError {
  override name = "UnknownCommandError";
  constructor(readonly word: string) {
    super([`unknown command: '${word}'`]);
  }
}

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
        if (p >= line.length) throw new UsageError(["dangling \\"]);
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
    if (double) throw new UsageError(['missing "']);
    yield { kind: "arg", text: out };
  }
}

export function* argvTokens(words: readonly string[]): Generator<Token> {
  for (const text of words) yield { kind: "arg", text };
  yield { kind: "end" };
}

export interface ParsedCommand<C> {
  def: Command<C>;
  opts: Opts;
}

/** Finds the command a name means; resolves to undefined for a name the family does not know. */
export type CommandLookup<C> = (name: string) => Promise<Command<C> | undefined>;

/** The option a word names: `--name[=value]`, or `-x` where the command gives x as a short spelling. */
function optionWord(def: Command<unknown>, word: string): { name: string; inline: string | undefined } | null {
  if (word.startsWith("--") && /^[A-Za-z0-9]/.test(word.slice(2))) {
    const eq = word.indexOf("=");
    return { name: word.slice(2, eq < 0 ? undefined : eq), inline: eq < 0 ? undefined : word.slice(eq + 1) };
  }
  const short = /^-([A-Za-z])$/.exec(word)?.[1];
  const opt = short === undefined ? undefined : def.options.find((o) => o.short === short);
  return opt === undefined ? null : { name: opt.name, inline: undefined };
}

/** vshCommandParse: the whole script, or a UsageError with vsh's lines. */
export async function parseCommands<C>(tokens: Iterable<Token>, lookup: CommandLookup<C>): Promise<ParsedCommand<C>[]> {
  const commands: ParsedCommand<C>[] = [];
  const it = tokens[Symbol.iterator]();
  const next = (): Token => it.next().value ?? { kind: "end" };
  for (;;) {
    let def: Command<C> | undefined;
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
        if (def === undefined) throw new UnknownCommandError(word);
        positional = def.options.filter((o) => o.type !== "bool" && o.type !== "alias" && o.named !== true);
        continue;
      }
      const name = def.names[0]!;
      let opt: OptDef | undefined;
      let value: string | undefined;
      const named = dataOnly ? null : optionWord(def, word);
      if (named !== null) {
        let { name: optName, inline } = named;
        if (optName === "help") {
          values.set("help", []);
          continue;
        }
        let found = def.options.find((o) => o.name === optName);
        if (found?.type === "alias") {
          const target = found.alias!;
          const at = target.indexOf("=");
          if (at >= 0) {
            if (inline !== undefined) throw new UsageError([`invalid '=' after option --${found.name}`]);
            inline = target.slice(at + 1);
            optName = target.slice(0, at);
          } else {
            optName = target;
          }
          found = def.options.find((o) => o.name === optName);
        }
        if (found === undefined) throw new UsageError([`command '${name}' doesn't support option --${optName}`]);
        opt = found;
        if (values.has(opt.name) && opt.type !== "argv") throw new UsageError([`option --${opt.name} already seen`]);
        if (opt.type === "bool") {
          if (inline !== undefined) throw new UsageError([`invalid '=' after option --${opt.name}`]);
        } else if (inline !== undefined) {
          value = inline;
        } else {
          tk = next();
          if (tk.kind !== "arg") throw new UsageError([`expected syntax: --${opt.name} <${opt.type === "int" ? "number" : "string"}>`]);
          value = tk.text;
        }
        if (opt.type !== "argv") positional = positional.filter((o) => o !== opt);
      } else if (!dataOnly && word === "--") {
        dataOnly = true;
        continue;
      } else {
        opt = positional[0];
        if (opt === undefined) throw new UsageError([`unexpected data '${word}'`]);
        if (opt.type !== "argv") positional = positional.slice(1);
        value = word;
        if (opt.rest === true) {
          // Every word from here on is this option's, options included.
          const words = [word];
          for (tk = next(); tk.kind === "arg"; tk = next()) words.push(tk.text);
          values.set(opt.name, words);
          break;
        }
      }
      const list = values.get(opt.name) ?? [];
      if (value !== undefined) list.push(value);
      values.set(opt.name, list);
    }
    if (def !== undefined) {
      if (!values.has("help")) {
        const name = def.names[0]!;
        const missing = def.options.filter((o) => o.required === true && !values.has(o.name));
        if (missing.length > 0) {
          throw new UsageError(missing.map((o) => (o.type === "data" || o.type === "argv" ? `command '${name}' requires <${o.name}> option` : `command '${name}' requires --${o.name} option`)));
        }
      }
      commands.push({ def, opts: new Opts(values) });
    }
    if (tk.kind === "end") return commands;
  }
}
