#!/usr/bin/env node
// The command line's entry: virsh's global options, then the command. Every
// command is imported when it is run, never before, so that a one-shot
// command pays only for what it uses (see bench/cli-start.ts).

import { readFileSync } from "node:fs";
import { setGlobals } from "./connection.js";
import { parseLeadingGlobals, takeTrailingGlobals, type GlobalOptions } from "./globals.js";
import { UsageError } from "./usage.js";
import { isVirshCommand } from "./virsh/registry.js";

const USAGE = `usage: libvirt-remote [OPTIONS] <command> [ARGS...]
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

commands printing what virsh prints:
  version uri hostname nodeinfo capabilities
  list dominfo domstate domstats dumpxml
  define undefine start shutdown reboot reset destroy suspend resume
  net-list pool-list vol-list

commands of our own:
  admin    a daemon's admin server, as virt-admin (admin --help)
  call     call any procedure, print the result as JSON (call --help)
  console  a guest's serial console on this terminal, as virsh console
  daemon   run a throwaway libvirtd for tests and demos (daemon --help)
  demo     a short tour against a throwaway daemon or LIBVIRT_DEFAULT_URI
  events   wait for libvirt events, print them as virsh does (events --help)
  gen      regenerate TypeScript from libvirt's .x files (gen --help)
  record   a recording proxy between any client and a daemon (record --help)
  replay   serve a recorded session to any client (replay --help)
  screenshot   save a guest's display to a file, as virsh screenshot
  vol-upload   a file into a storage volume (--sparse keeps holes)
  vol-download a storage volume into a file (--sparse keeps holes)
  import-pcap  turn a tcpdump/tshark capture of a session into a fixture

Exit status: 0 on success, 1 on any failure (usage, daemon, timeout), as virsh.`;

type Main = (argv: string[]) => Promise<number>;

interface Command {
  load: () => Promise<Main>;
  /** Connects to a daemon, so takes the global options after the command too. */
  connects: boolean;
}

const COMMANDS: Record<string, Command> = {
  admin: { load: async () => (await import("./admin.js")).adminMain, connects: false },
  call: { load: async () => (await import("./call.js")).callMain, connects: true },
  console: { load: async () => (await import("./console.js")).consoleMain, connects: true },
  daemon: { load: async () => (await import("./daemon.js")).daemonMain, connects: false },
  demo: { load: async () => (await import("./demo.js")).demoMain, connects: false },
  events: { load: async () => (await import("./events.js")).eventsMain, connects: true },
  gen: { load: async () => (await import("../../codegen/cli.js")).genMain, connects: false },
  record: { load: async () => (await import("./record.js")).recordMain, connects: false },
  replay: { load: async () => (await import("./record.js")).replayMain, connects: false },
  "import-pcap": { load: async () => (await import("./record.js")).importMain, connects: false },
  screenshot: { load: async () => (await import("./screenshot.js")).screenshotMain, connects: true },
  "vol-upload": { load: async () => (await import("./volume.js")).volUploadMain, connects: true },
  "vol-download": { load: async () => (await import("./volume.js")).volDownloadMain, connects: true },
};

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
}

async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseLeadingGlobals>;
  try {
    parsed = parseLeadingGlobals(argv);
  } catch (e) {
    // virsh's own words for its own options.
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`error: ${e.message}\n`);
    return 1;
  }
  const { globals, rest } = parsed;
  if (globals.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (globals.version !== null) {
    process.stdout.write(globals.version === "short" ? `${packageVersion()}\n` : `libvirt-remote ${packageVersion()}, a client of libvirt's remote protocol\n`);
    return 0;
  }
  const [command, ...args] = rest;
  if (command === undefined) {
    // virsh would start its interactive shell; there is none here.
    throw new UsageError(`no command given\n${USAGE}`);
  }
  // One word after the options is a one-line script, as virsh reads it ("list --all; dominfo test").
  if (rest.length === 1 && (isVirshCommand(command.trim().split(/[\s;]/)[0]!) || /[;\s#]/.test(command))) {
    setGlobals(globals);
    return (await import("./virsh/main.js")).virshMain({ script: command }, globals);
  }
  if (isVirshCommand(command)) {
    const words = takeTrailingGlobals(globals, args);
    setGlobals(globals);
    return (await import("./virsh/main.js")).virshMain({ words: [command, ...words] }, globals);
  }
  const entry = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (entry === undefined) {
    setGlobals(globals);
    // virsh's message for a command it does not know.
    return (await import("./virsh/main.js")).virshMain({ words: rest }, globals);
  }
  let words = args;
  if (entry.connects) words = takeTrailingGlobals(globals, args);
  else if (command === "admin") words = adminWords(globals, args);
  setGlobals(globals);
  const run = await entry.load();
  const started = performance.now();
  const code = await run(words);
  if (globals.timing) process.stdout.write(`\n(Time: ${(performance.now() - started).toFixed(3)} ms)\n\n`);
  return code;
}

/** virt-admin takes -c and -q itself: those given before `admin` are passed on to it. */
function adminWords(g: GlobalOptions, args: string[]): string[] {
  return [...(g.connect !== undefined ? ["-c", g.connect] : []), ...(g.quiet ? ["-q"] : []), ...args];
}

/** One line on stderr, never a stack trace: these are about the user's input or the daemon. */
async function describe(err: unknown): Promise<string> {
  if (err instanceof UsageError) return err.message;
  const { CommandError } = await import("./command-error.js");
  if (err instanceof CommandError) return err.cause === undefined ? err.step : `${err.step}: ${await describe(err.cause)}`;
  const { LibvirtError, LibvirtRemoteError } = await import("../rpc/errors.js");
  const { XdrError } = await import("../xdr/index.js");
  if (err instanceof LibvirtError) return `${err.code}: ${err.message}`;
  if (err instanceof LibvirtRemoteError || err instanceof XdrError) return err.message;
  if (err instanceof Error && "code" in err && typeof err.code === "string" && err.code.startsWith("ERR_PARSE_ARGS")) {
    // Some of Node's parseArgs messages run over several lines: one line, as every error here.
    return err.message.split("\n").map((l) => l.trim()).filter((l) => l !== "").join(" ");
  }
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
    process.stderr.write(`libvirt-remote: ${await describe(err)}\n`);
    // One rule, as virsh's: every failure is 1 (README, "The command line").
    process.exitCode = 1;
  },
);
