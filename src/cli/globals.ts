// virsh's global options (tools/virsh.c, virshParseArgv), read with the
// same rules: before the command, getopt-style ("+": the first word that is
// not an option is the command), `-cURI`, `--connect=URI` and clustered
// flags (`-qt`) alike. This module imports nothing, so that `--help` and
// `--version` cost no more than Node's own start.

import { UsageError } from "./usage.js";

export interface GlobalOptions {
  /** -c/--connect: the URI; none means VIRSH_DEFAULT_CONNECT_URI, then LIBVIRT_DEFAULT_URI. */
  connect: string | undefined;
  readonly: boolean;
  quiet: boolean;
  timing: boolean;
  /** -k/-K as given; undefined keeps virsh's defaults (5 s, 6). */
  keepaliveInterval: number | undefined;
  keepaliveCount: number | undefined;
  help: boolean;
  /** -v/--version (short) or -V/--version=long. */
  version: "short" | "long" | null;
}

export function defaultGlobals(): GlobalOptions {
  return { connect: undefined, readonly: false, quiet: false, timing: false, keepaliveInterval: undefined, keepaliveCount: undefined, help: false, version: null };
}

interface OptDef {
  short: string;
  long: string;
  arg: boolean;
}

const OPTIONS: readonly OptDef[] = [
  { short: "c", long: "connect", arg: true },
  { short: "h", long: "help", arg: false },
  { short: "k", long: "keepalive-interval", arg: true },
  { short: "K", long: "keepalive-count", arg: true },
  { short: "q", long: "quiet", arg: false },
  { short: "r", long: "readonly", arg: false },
  { short: "t", long: "timing", arg: false },
  { short: "v", long: "version", arg: false },
  { short: "V", long: "", arg: false },
];

/** virStrToLong_i with base 0, then virsh's "positive" check (0 allowed: it turns keepalive off). */
function keepaliveValue(text: string, name: string): number {
  const t = text.trim();
  const m = /^([+-]?)(0x[0-9a-f]+|0[0-7]*|[1-9]\d*)$/i.exec(t);
  const n = m === null ? NaN : (m[1] === "-" ? -1 : 1) * (m[2]!.toLowerCase().startsWith("0x") ? parseInt(m[2]!.slice(2), 16) : m[2]!.startsWith("0") && m[2]!.length > 1 ? parseInt(m[2]!, 8) : Number(m[2]));
  if (!Number.isSafeInteger(n) || n > 2 ** 31 - 1 || n < -(2 ** 31)) throw new UsageError([`Invalid value for option ${name}`]);
  if (n < 0) throw new UsageError([`option ${name} requires a positive integer argument`]);
  return n;
}

function apply(g: GlobalOptions, opt: OptDef, value: string | undefined, spelled: string): void {
  switch (opt.short) {
    case "c":
      g.connect = value;
      break;
    case "h":
      g.help = true;
      break;
    case "k":
      g.keepaliveInterval = keepaliveValue(value!, spelled);
      break;
    case "K":
      g.keepaliveCount = keepaliveValue(value!, spelled);
      break;
    case "q":
      g.quiet = true;
      break;
    case "r":
      g.readonly = true;
      break;
    case "t":
      g.timing = true;
      break;
    case "v":
      g.version = value === "long" ? "long" : "short";
      break;
    case "V":
      g.version = "long";
      break;
  }
}

/**
 * Reads one option at argv[i] into `g`; returns how many words it used, or
 * 0 when argv[i] is not one of ours. `strict` (before the command) makes an
 * unknown option an error, as virsh's getopt does.
 */
function readOption(g: GlobalOptions, argv: readonly string[], i: number, strict: boolean): number {
  const word = argv[i]!;
  if (word.startsWith("--") && word.length > 2) {
    const eq = word.indexOf("=");
    const name = word.slice(2, eq < 0 ? undefined : eq);
    // getopt_long takes a whole name, or before the command an unambiguous prefix
    // (`--conn`, `--read`); after it, a prefix could be the command's own option.
    const exact = OPTIONS.find((o) => o.long !== "" && o.long === name);
    const prefixed = strict && name !== "" ? OPTIONS.filter((o) => o.long.startsWith(name)) : [];
    const opt = exact ?? (prefixed.length === 1 ? prefixed[0] : undefined);
    if (opt === undefined) {
      if (strict) throw new UsageError([`unsupported option '${word}'. See --help.`]);
      return 0;
    }
    if (opt.long === "version") {
      apply(g, opt, eq < 0 ? undefined : word.slice(eq + 1), word);
      return 1;
    }
    if (!opt.arg) {
      if (eq >= 0) {
        // virsh reports getopt's optopt, the flag's short name.
        if (strict) throw new UsageError([`unsupported option '-${opt.short}'. See --help.`]);
        return 0;
      }
      apply(g, opt, undefined, `--${opt.long}`);
      return 1;
    }
    if (eq >= 0) {
      apply(g, opt, word.slice(eq + 1), `--${opt.long}`);
      return 1;
    }
    const value = argv[i + 1];
    if (value === undefined) throw new UsageError([`option '-${opt.short}'/'--${opt.long}' requires an argument`]);
    apply(g, opt, value, `--${opt.long}`);
    return 2;
  }
  if (word.startsWith("-") && word.length > 1 && !word.startsWith("--")) {
    // A cluster: flags, then at most one option taking the rest (or the next word) as its value.
    const pending: [OptDef, string | undefined, string][] = [];
    let used = 1;
    for (let j = 1; j < word.length; j++) {
      const opt = OPTIONS.find((o) => o.short === word[j]);
      if (opt === undefined) {
        if (strict) throw new UsageError([`unsupported option '-${word[j]}'. See --help.`]);
        return 0;
      }
      if (opt.arg) {
        let value: string | undefined = word.slice(j + 1);
        if (value === "") {
          value = argv[i + 1];
          used = 2;
        }
        if (value === undefined) throw new UsageError([`option '-${opt.short}'/'--${opt.long}' requires an argument`]);
        pending.push([opt, value, `-${opt.short}`]);
        break;
      }
      pending.push([opt, undefined, `-${opt.short}`]);
    }
    for (const [opt, value, spelled] of pending) apply(g, opt, value, spelled);
    return used;
  }
  return 0;
}

const TRAILING_EXCLUDED = new Set(["h", "help", "v", "V", "version"]);

/** The global options before the command, and the words from the command on. */
export function parseLeadingGlobals(argv: readonly string[]): { globals: GlobalOptions; rest: string[] } {
  const g = defaultGlobals();
  let i = 0;
  while (i < argv.length) {
    if (argv[i] === "--") {
      i++;
      break;
    }
    const used = readOption(g, argv, i, true);
    if (used === 0) break;
    i += used;
  }
  return { globals: g, rest: argv.slice(i) };
}

/**
 * Global options written after the command (`list --all -c URI`), which
 * virsh does not take but scripts for our own commands do: taken out of
 * the command's words, up to a `--`.
 */
export function takeTrailingGlobals(g: GlobalOptions, words: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; ) {
    const w = words[i]!;
    if (w === "--") {
      out.push(...words.slice(i));
      break;
    }
    const name = w.startsWith("--") ? w.slice(2).split("=")[0]! : w.startsWith("-") && w.length === 2 ? w.slice(1) : null;
    // Help and version after a command are the command's own (`call --help`).
    const used = name === null || TRAILING_EXCLUDED.has(name) ? 0 : readOption(g, words, i, false);
    if (used === 0) {
      out.push(w);
      i++;
    } else {
      i += used;
    }
  }
  return out;
}
