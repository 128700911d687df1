/**
 * `npm run parity`: the friendly layer beside libvirt-python on a rich
 * real QEMU guest. By default on a throwaway unprivileged libvirtd
 * (session mode, which refuses memory, blkio and scheduler tuning: those
 * getters are skipped with the daemon's reason). `--uri URI --system`
 * runs against a daemon you started that allows them (system mode).
 * Exits 1 when any method differs.
 */
import { open } from "../src/api/connection.js";
import { startDaemon, type ThrowawayDaemon } from "../src/testing/daemon.js";
import { prepareRichGuest, removeRichGuest, type RichGuest } from "./guest.js";
import { report, runParity } from "./harness.js";

function argAfter(flag: string): string | undefined {
  const i = process.argv.indexOf(flag);
  return i < 0 ? undefined : process.argv[i + 1];
}

async function main(): Promise<number> {
  const given = argAfter("--uri");
  const system = process.argv.includes("--system");
  let daemon: ThrowawayDaemon | null = null;
  const name = `parity-${process.pid}`;
  let guest: RichGuest | null = null;
  try {
    if (given === undefined) daemon = await startDaemon();
    const uri = given ?? daemon!.uris.qemuTcp;
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
