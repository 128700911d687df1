#!/usr/bin/env node
import { genMain } from "../../codegen/cli.js";
import { LibvirtError, LibvirtRemoteError } from "../rpc/errors.js";
import { XdrError } from "../xdr/index.js";
import { callMain } from "./call.js";
import { daemonMain } from "./daemon.js";
import { demoMain } from "./demo.js";
import { eventsMain } from "./events.js";
import { importMain, recordMain, replayMain } from "./record.js";
import { UsageError } from "./usage.js";

const USAGE = `usage: libvirt-remote <command> [options]

commands:
  call     call any procedure, print the result as JSON (call --help)
  daemon   run a throwaway libvirtd for tests and demos (daemon --help)
  demo     a short tour against a throwaway daemon or LIBVIRT_DEFAULT_URI
  events   wait for libvirt events, print them as virsh does (events --help)
  gen      regenerate TypeScript from libvirt's .x files (gen --help)
  record   a recording proxy between any client and a daemon (record --help)
  replay   serve a recorded session to any client (replay --help)
  import-pcap  turn a tcpdump/tshark capture of a session into a fixture`;

const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  call: callMain,
  daemon: daemonMain,
  demo: demoMain,
  events: eventsMain,
  gen: genMain,
  record: recordMain,
  replay: replayMain,
  "import-pcap": importMain,
};

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "-h" || command === "--help") {
    process.stdout.write(`${USAGE}\n`);
    return command === undefined ? 2 : 0;
  }
  const run = COMMANDS[command];
  if (run === undefined) throw new UsageError(`unknown command '${command}'\n${USAGE}`);
  return run(rest);
}

/** One line on stderr, never a stack trace: these are about the user's input or daemon. */
function describe(err: unknown): string {
  if (err instanceof LibvirtError) return `${err.code}: ${err.message}`;
  if (err instanceof LibvirtRemoteError || err instanceof XdrError || err instanceof UsageError) return err.message;
  if (err instanceof Error && "code" in err && typeof err.code === "string" && err.code.startsWith("ERR_PARSE_ARGS")) return err.message;
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
  (err: unknown) => {
    process.stderr.write(`libvirt-remote: ${describe(err)}\n`);
    process.exitCode = err instanceof UsageError || (err instanceof Error && "code" in err && String(err.code).startsWith("ERR_PARSE_ARGS")) ? 2 : 1;
  },
);
