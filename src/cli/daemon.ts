import { startDaemon } from "../testing/daemon.js";
import { HELP, type OwnCommand } from "./command.js";
import { intOption } from "./usage.js";

export const DAEMON_USAGE = `usage: libvirt-remote daemon [--max-client-requests N]

Starts a throwaway, unprivileged libvirtd (test and QEMU session drivers) on
a free loopback port, prints its URIs as JSON, and stops it on Ctrl-C or
SIGTERM.`;

const daemon: OwnCommand = {
  names: ["daemon"],
  options: [{ name: "max-client-requests", type: "string", named: true }, HELP],
  help: DAEMON_USAGE,
  run: async (_ctx, opts) => serve(opts.string("max-client-requests")),
};

export const commands: readonly OwnCommand[] = [daemon];

async function serve(text: string | undefined): Promise<void> {
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
}
