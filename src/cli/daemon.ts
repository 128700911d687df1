import { parseArgs } from "node:util";
import { startDaemon } from "../testing/daemon.js";
import { intOption } from "./usage.js";

export const DAEMON_USAGE = `usage: libvirt-remote daemon [--max-client-requests N]

Starts a throwaway, unprivileged libvirtd (test and QEMU session drivers) on
a free loopback port, prints its URIs as JSON, and stops it on Ctrl-C or
SIGTERM.`;

export async function daemonMain(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      "max-client-requests": { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${DAEMON_USAGE}\n`);
    return 0;
  }
  const text = values["max-client-requests"];
  const max = text === undefined ? undefined : intOption("max-client-requests", text, 1, 1_000_000);
  const d = await startDaemon(max === undefined ? {} : { maxClientRequests: max });
  const { pid, dir, tcpPort, socket, adminSocket, uris } = d;
  // Listening before printing: whoever reads the URIs may stop us at once.
  const stopped = new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  process.stdout.write(`${JSON.stringify({ pid, dir, tcpPort, socket, adminSocket, uris }, null, 2)}\n`);
  await stopped;
  await d.stop();
  return 0;
}
