// Issue 27, item 8: `console` killed by SIGHUP left the terminal raw. virsh
// 9.0's console (tools/virsh-console.c, virshRunConsole) traps SIGINT,
// SIGTERM, SIGHUP, SIGQUIT and SIGPIPE while attached with a handler that
// does nothing, and puts the terminal back when it is left; a terminal that
// hangs up ends it with exit code 1. Both clients run here on a pseudo-terminal
// of their own (test/cli/console-pty.py), against the same guest.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../protocol/fetch.js";
import { connect, type Client } from "../../src/client/client.js";
import type { RemoteNonnullDomain } from "../../src/gen/remote_protocol.js";
import { sharedDaemon, uniqueName } from "../e2e/daemon.js";
import { cli } from "./helpers.js";

const run = promisify(execFile);
const shared = sharedDaemon();
const DRIVER = join(repoRoot(), "test/cli/console-pty.py");

interface Flags {
  icanon: boolean;
  echo: boolean;
  isig: boolean;
}
interface PtyRun {
  out: string;
  ended: { code?: number; signal?: string; hung?: boolean };
  survived: boolean;
  before: Flags;
  attached: Flags;
  after: Flags | null;
  restored: boolean;
}

async function inPty(argv: string[], action: string): Promise<PtyRun> {
  const { stdout } = await run("/usr/bin/python3", [DRIVER, JSON.stringify(argv), action], { encoding: "utf8", timeout: 120_000 });
  const r = JSON.parse(stdout) as PtyRun;
  return { ...r, out: Buffer.from(r.out, "base64").toString("latin1") };
}

const cooked: Flags = { icanon: true, echo: true, isig: true };
const raw: Flags = { icanon: false, echo: false, isig: false };

describe.skipIf(shared === null)("console on a terminal, signalled or hung up, as virsh console", () => {
  const uri = shared?.uris.qemuTcp ?? "";
  let c: Client;
  let dom: RemoteNonnullDomain;
  let name: string;

  beforeAll(async () => {
    c = await connect(uri);
    name = uniqueName("con");
    // No disk and no OS: the firmware waits for ever, the serial console is there.
    const xml =
      `<domain type='qemu'><name>${name}</name><memory unit='MiB'>32</memory><vcpu>1</vcpu>` +
      "<os><type arch='x86_64' machine='pc'>hvm</type></os><devices><emulator>/usr/bin/qemu-system-x86_64</emulator>" +
      "<serial type='pty'/><console type='pty'/></devices></domain>";
    ({ dom } = await c.domainCreateXml({ xml_desc: xml, flags: 0 }));
  });

  afterAll(async () => {
    await c?.domainDestroy({ dom }).catch(() => {});
    await c?.close();
  });

  const virsh = (): string[] => ["virsh", "-c", uri, "console", name];
  const ours = (): string[] => [process.execPath, cli, "console", "-c", uri, name];

  for (const signal of ["SIGHUP", "SIGTERM", "SIGQUIT", "SIGINT"]) {
    it(`${signal} while attached: ignored as virsh does; Ctrl-] then leaves, and the terminal is as before`, async () => {
      const theirs = await inPty(virsh(), signal);
      const mine = await inPty(ours(), signal);
      console.log(`${signal}: virsh ${JSON.stringify({ ...theirs, out: undefined })}\nours ${JSON.stringify({ ...mine, out: undefined })}`);
      for (const [who, r] of [["virsh", theirs], ["ours", mine]] as const) {
        expect(r.before, who).toEqual(cooked);
        expect(r.attached, who).toEqual(raw);
        expect(r.after, who).toEqual(cooked);
        // Every setting, not only those three, as it was before.
        expect(r.restored, who).toBe(true);
        expect(r.ended, who).toEqual({ code: 0 });
      }
    });
  }

  it("the terminal hung up while attached: exit code 1 as virsh, neither killed by the hangup nor left hanging", async () => {
    const theirs = await inPty(virsh(), "hangup");
    const mine = await inPty(ours(), "hangup");
    expect(theirs.attached).toEqual(raw);
    expect(mine.attached).toEqual(raw);
    expect(theirs.ended).toEqual({ code: 1 });
    expect(mine.ended).toEqual({ code: 1 });
  });
});
