#!/usr/bin/env node
// The command line's entry: virsh's global options, then the command. Every
// command is imported when it is run, never before, so that a one-shot
// command pays only for what it uses (see bench/cli-start.ts).

import { readFileSync } from "node:fs";
import { setGlobals } from "./connection.js";
import { parseLeadingGlobals, takeTrailingGlobals } from "./globals.js";
import { UsageError } from "./usage.js";

/** The `--help` text: the options by hand, the commands from the registry. */
async function usage(): Promise<string> {
  const [{ listCommands }, { OWN_COMMANDS, VIRSH_COMMANDS }] = await Promise.all([import("./command.js"), import("./commands.js")]);
  return `usage: libvirt-remote [OPTIONS] <command> [ARGS...]
       libvirt-remote [OPTIONS] "command [ARGS...]; command [ARGS...]"

options (before or after the command, as virsh's before it):
  -c, --connect URI            the daemon (else VIRSH_DEFAULT_CONNECT_URI, then LIBVIRT_DEFAULT_URI)
  -r, --readonly               connect read-only
  -k, --keepalive-interval N   keepalive interval in seconds, 0 turns it off (default 5)
  -K, --keepalive-count N      unanswered keepalives before giving up (default 6)
  -q, --quiet                  quieter output: no table headers, no blank line after a command
  -t, --timing                 print how long each command took
  -v, --version[=short|long]   print the version
  -h, --help                   this help

commands printing what virsh prints (COMMAND --help: its options):
${listCommands(VIRSH_COMMANDS)}

commands of our own (COMMAND --help: how to use it):
${listCommands(OWN_COMMANDS)}

Exit status: 0 on success, 1 on any failure (usage, daemon, timeout), as virsh.`;
}

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
}

/** Whether an unknown command word is one typed to virsh's words or ours (then "did you mean" has names to offer). */
let suggestVirshNames = true;
/** In a one-line script only virsh's commands run: our own are not offered there. */
let inScript = false;

async function main(argv: string[]): Promise<number> {
  const { globals, rest } = parseLeadingGlobals(argv);
  if (globals.help) {
    process.stdout.write(`${await usage()}\n`);
    return 0;
  }
  if (globals.version !== null) {
    process.stdout.write(globals.version === "short" ? `${packageVersion()}\n` : `libvirt-remote ${packageVersion()}, a client of libvirt's remote protocol\n`);
    return 0;
  }
  const [command, ...args] = rest;
  const { isVirshCommand, topLevelCommand } = await import("./commands.js");
  // virsh would start its interactive shell; there is none here.
  if (command === undefined) throw new UsageError(["no command given (libvirt-remote --help lists them)"]);
  // One word after the options is a one-line script, as virsh reads it ("list --all; dominfo test");
  // global options may follow a script as they follow a command here (virsh's getopt stops at it).
  if (/[;\s#]/.test(command) || (rest.length === 1 && isVirshCommand(command.trim().split(/[\s;]/)[0]!))) {
    const scriptGlobals = { ...globals };
    if (takeTrailingGlobals(scriptGlobals, args).length === 0) {
      setGlobals(scriptGlobals);
      inScript = true;
      return (await import("./virsh/main.js")).virshMain({ script: command }, scriptGlobals);
    }
  }
  const entry = topLevelCommand(command);
  const words = entry?.connects === true ? takeTrailingGlobals(globals, args) : args;
  setGlobals(globals);
  if (entry?.family === "virsh") return (await import("./virsh/main.js")).virshMain({ words: [command, ...words] }, globals);
  // Our own command, or virsh's message for a name nobody knows.
  const [{ helpText, lookupIn }, { argvTokens, parseCommands }, { OWN_COMMANDS }] = await Promise.all([import("./command.js"), import("./parse.js"), import("./commands.js")]);
  const { def, opts } = (await parseCommands(argvTokens([command, ...words]), lookupIn(OWN_COMMANDS)))[0]!;
  if (opts.bool("help")) {
    process.stdout.write(helpText(def));
    return 0;
  }
  const started = performance.now();
  // A command word unknown from here on is another family's (`admin NAME`): no virsh names to suggest.
  suggestVirshNames = false;
  const ok = (await def.run({ globals }, opts)) !== false;
  if (globals.timing) process.stdout.write(`\n(Time: ${(performance.now() - started).toFixed(3)} ms)\n\n`);
  return ok ? 0 : 1;
}

/** A usage error's lines; after an unknown command's, what this CLI knows of the word (did you mean, not implemented yet). */
async function usageLines(err: UsageError): Promise<string> {
  const [{ UnknownCommandError }, { isVirshCommand, OWN_COMMANDS }, { unknownCommandLines }] = await Promise.all([
    import("./parse.js"),
    import("./commands.js"),
    import("./virsh/vsh-suggest.js"),
  ]);
  const lines = err.lines.map((l) => `error: ${l}\n`);
  if (!(err instanceof UnknownCommandError) || !suggestVirshNames) return lines.join("");
  const more = unknownCommandLines(err.word, isVirshCommand, inScript ? [] : OWN_COMMANDS.flatMap((e) => e.names));
  return more.replace ? more.lines.map((l) => `error: ${l}\n`).join("") : [...lines, ...more.lines.map((l) => `${l}\n`)].join("");
}

/** One line on stderr, never a stack trace: these are about the user's input or the daemon. */
async function describe(err: unknown): Promise<string> {
  const { LibvirtError, LibvirtRemoteError } = await import("../rpc/errors.js");
  const { XdrError } = await import("../xdr/index.js");
  if (err instanceof LibvirtError) return `${err.code}: ${err.message}`;
  if (err instanceof LibvirtRemoteError || err instanceof XdrError) return err.message;
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

// `libvirt-remote call --list | head` closes stdout early: that is not an error.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") process.exit(0);
  throw err;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  async (err: unknown) => {
    // Words that did not parse, of any command: virsh's and virt-admin's way, each line as `error: LINE`.
    if (err instanceof UsageError) process.stderr.write(await usageLines(err));
    else process.stderr.write(`libvirt-remote: ${await describe(err)}\n`);
    // One rule, as virsh's: every failure is 1 (README, "The command line").
    process.exitCode = 1;
  },
);
