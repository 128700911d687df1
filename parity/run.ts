/**
 * `npm run parity`: the friendly layer beside libvirt-python on a rich
 * real QEMU guest. As root, on a throwaway system-mode libvirtd in a mount
 * namespace of its own (memory and scheduler tuning work there); else, or
 * with `--session`, on a throwaway unprivileged libvirtd (session mode
 * refuses memory, blkio and scheduler tuning: those getters are skipped
 * with the daemon's reason). `--uri URI [--system]` uses a daemon you
 * started. Exits 1 when any method differs.
 */
import { open } from "../src/api/connection.js";
import { startDaemon } from "../src/testing/daemon.js";
import { prepareRichGuest, removeRichGuest, type RichGuest } from "./guest.js";
import { report, runParity } from "./harness.js";
import { startSystemDaemon, systemDaemonUnavailable } from "./system-daemon.js";

function argAfter(flag: string): string | undefined {
  const i = process.argv.indexOf(flag);
  return i < 0 ? undefined : process.argv[i + 1];
}

async function main(): Promise<number> {
  const given = argAfter("--uri");
  const noSystem = process.argv.includes("--session") ? "--session given" : systemDaemonUnavailable();
  let system = given !== undefined ? process.argv.includes("--system") : noSystem === null;
  let daemon: { uri: string; stop(): Promise<void> } | null = null;
  const name = `parity-${process.pid}`;
  let guest: RichGuest | null = null;
  try {
    if (given === undefined && system) {
      daemon = await startSystemDaemon().catch((e: unknown) => {
        console.log(`(no system-mode daemon: ${(e as Error).message}; session mode instead)`);
        return null;
      });
      system = daemon !== null;
    }
    if (given === undefined && daemon === null) {
      const d = await startDaemon();
      daemon = { uri: d.uris.qemuTcp, stop: () => d.stop() };
    }
    const uri = given ?? daemon!.uri;
    console.log(`# ${uri} (${system ? "system mode" : `session mode${noSystem === null ? "" : `: ${noSystem}`}`}), libvirt-python beside the friendly layer`);
    const conn = await open(uri);
    try {
      guest = await prepareRichGuest(conn, name, { system });
      const lines = report(await runParity(uri, guest));
      for (const l of lines) console.log(l);
      return / 0 differ,/.test(lines[lines.length - 1]!) ? 0 : 1;
    } finally {
      await removeRichGuest(conn, guest ?? { domain: name, pool: `${name}-pool`, secretUuid: "" });
      await conn.close();
    }
  } finally {
    await daemon?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    process.exit(2);
  },
);
