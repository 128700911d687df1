// net-edit and nwfilter-edit through $EDITOR, beside virsh 9.0 on the same
// words: the differential cases run with no editor of their own, so the
// loop's ends (unchanged, edited and defined, a define that fails, an
// editor that fails or cannot run) are run here. The test driver starts
// from its pristine state for each program's connection, so a one-line
// script edits and then shows what was defined.

import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDaemon, type ThrowawayDaemon } from "../../src/testing/daemon.js";
import { sharedDaemon } from "../e2e/daemon.js";
import { lr, virshRun, type Outcome } from "./helpers.js";

const available = sharedDaemon() !== null && process.env["LIBVIRT_E2E_DAEMON"] !== "11.3";

/** The temporary file's name is random: both outcomes with it replaced. */
const masked = (o: Outcome): Outcome => ({ ...o, stderr: o.stderr.replace(/virsh\w{6}\.xml/g, "virshXXXXXX.xml") });

describe.skipIf(!available)("net-edit and nwfilter-edit run $EDITOR as virsh does", () => {
  let d: ThrowawayDaemon;
  let dir: string;
  const editor = (name: string, body: string): string => {
    const file = join(dir, name);
    writeFileSync(file, `#!/bin/sh\n${body}\n`);
    chmodSync(file, 0o755);
    return file;
  };
  beforeAll(async () => {
    d = await startDaemon();
    dir = mkdtempSync(join(tmpdir(), "lr-cli-net-edit-"));
  });
  afterAll(async () => {
    await d?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  const both = async (uri: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ ours: Outcome; virsh: Outcome }> => ({
    virsh: masked(await virshRun(["-c", uri, ...args], env)),
    ours: masked(await lr(["-c", uri, ...args], env)),
  });

  it("unchanged, edited, and a define that fails", async () => {
    const unchanged = await both(d.uris.testTcp, ["net-edit", "default"], { EDITOR: editor("same.sh", "exit 0") });
    expect(unchanged.ours).toEqual(unchanged.virsh);
    expect(unchanged.virsh.stdout).toBe("Network default XML configuration not changed.\n\n");

    // An inactive network's XML is its definition, so the last command shows what the edit defined.
    const net = join(dir, "ne.xml");
    writeFileSync(net, "<network><name>ne</name><uuid>0f6b3c2a-1d4e-4b5f-8a6c-7d8e9f0a1b2c</uuid><bridge name='nebr0' stp='on'/></network>");
    const stp = editor("stp.sh", `sed -i "s/stp='on'/stp='off'/" "$1"`);
    const edited = await both(d.uris.testTcp, [`net-define ${net}; net-edit ne; net-dumpxml ne`], { EDITOR: stp });
    expect(edited.ours).toEqual(edited.virsh);
    expect(edited.virsh.stdout).toContain("Network ne XML configuration edited.\n");
    expect(edited.virsh.stdout).toContain("stp='off'");

    // Without a terminal virsh cannot ask again: it says "Failed." and names what it defined, nothing.
    const broken = await both(d.uris.testTcp, ["net-edit", "default"], { EDITOR: editor("broken.sh", `printf '<network><name>x' > "$1"`) });
    expect(broken.ours).toEqual(broken.virsh);
    expect(broken.virsh).toEqual({ code: 0, stdout: "Network (null) XML configuration edited.\n\n", stderr: "error: Failed.\n" });
  });

  it("an editor that fails, or cannot run, ends the command with libvirt's words", async () => {
    const failing = await both(d.uris.testTcp, ["net-edit", "default"], { EDITOR: editor("fail.sh", "exit 3") });
    expect(failing.ours).toEqual(failing.virsh);
    expect(failing.virsh.stderr).toMatch(/^error: internal error: Child process \(\S+fail\.sh \S+virshXXXXXX\.xml\) unexpected exit status 3\n$/);

    for (const EDITOR of [join(dir, "missing.sh"), "lr-no-such-editor", `${join(dir, "missing.sh")} --flag`]) {
      const r = await both(d.uris.testTcp, ["net-edit", "default"], { EDITOR });
      expect(r.ours).toEqual(r.virsh);
      expect(r.virsh.code).toBe(1);
    }
  });

  it("nwfilter-edit: the lookup (neither driver here keeps a filter to edit)", async () => {
    const r = await both(d.uris.qemuTcp, ["nwfilter-edit", "nope"], { EDITOR: editor("same2.sh", "exit 0") });
    expect(r.ours).toEqual(r.virsh);
    expect(r.virsh.stderr).toContain("error: failed to get nwfilter 'nope'\n");
  });

  it("net-event and secret-event print each event as virsh does, until the timeout", async () => {
    const net = join(dir, "ev.xml");
    writeFileSync(net, "<network><name>ev</name><uuid>1e2d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b</uuid><bridge name='evbr0'/></network>");
    /** A watcher started, then the changes made once it has registered (a generous pause), then its whole outcome. */
    const watch = async (run: typeof lr, args: string[], changes: string): Promise<Outcome> => {
      const watching = run(["-c", d.uris.qemuTcp, ...args]);
      await new Promise((r) => setTimeout(r, 2500));
      await virshRun(["-c", d.uris.qemuTcp, changes]);
      return watching;
    };
    const netArgs = ["net-event", "--event", "lifecycle", "--loop", "--timeout", "6"];
    const netChanges = `net-define ${net}; net-undefine ev`;
    const netVirsh = await watch(virshRun, netArgs, netChanges);
    expect(await watch(lr, netArgs, netChanges)).toEqual(netVirsh);
    expect(netVirsh).toEqual({
      code: 0,
      stdout: "event 'lifecycle' for network ev: Defined\nevent 'lifecycle' for network ev: Undefined\nevent loop timed out\nevents received: 2\n\n",
      stderr: "",
    });

    const secret = join(dir, "ev-secret.xml");
    const uuid = "2f3e4d5c-6b7a-4899-8a0b-1c2d3e4f5a6b";
    writeFileSync(secret, `<secret ephemeral='no' private='no'><uuid>${uuid}</uuid></secret>`);
    const secretArgs = ["secret-event", "--event", "value-changed", "--timeout", "6"];
    const secretChanges = `secret-define ${secret}; secret-set-value ${uuid} --base64 aGk=; secret-undefine ${uuid}`;
    const secretVirsh = await watch(virshRun, secretArgs, secretChanges);
    expect(await watch(lr, secretArgs, secretChanges)).toEqual(secretVirsh);
    expect(secretVirsh.stdout).toBe(`event 'value-changed' for secret ${uuid}\nevents received: 1\n\n`);
  });
});
