#!/usr/bin/env node
import { genMain } from "../../codegen/cli.js";
import { LibvirtError, LibvirtRemoteError, UriError } from "../rpc/errors.js";
import { XdrError } from "../xdr/index.js";
import { adminMain } from "./admin.js";
import { callMain } from "./call.js";
import { consoleMain } from "./console.js";
import { daemonMain } from "./daemon.js";
import { demoMain } from "./demo.js";
import { eventsMain } from "./events.js";
import { importMain, recordMain, replayMain } from "./record.js";
import { screenshotMain } from "./screenshot.js";
import { volDownloadMain, volUploadMain } from "./volume.js";
import { UsageError } from "./usage.js";

const USAGE = `usage: libvirt-remote <command> [options]

commands:
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
  import-pcap  turn a tcpdump/tshark capture of a session into a fixture`;

const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  admin: adminMain,
  call: callMain,
  console: consoleMain,
  daemon: daemonMain,
  demo: demoMain,
  events: eventsMain,
  gen: genMain,
  record: recordMain,
  replay: replayMain,
  "import-pcap": importMain,
  screenshot: screenshotMain,
  "vol-upload": volUploadMain,
  "vol-download": volDownloadMain,
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

/** The user's words were wrong (exit 2), as opposed to the daemon or the world failing (exit 1). */
function isUsageError(err: unknown): boolean {
  if (err instanceof UsageError || err instanceof UriError) return true;
  return err instanceof Error && "code" in err && String(err.code).startsWith("ERR_PARSE_ARGS");
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
    process.exitCode = isUsageError(err) ? 2 : 1;
  },
);
