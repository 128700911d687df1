// pool-edit through $EDITOR, beside virsh 9.0 on the same words: the
// differential cases run with no editor of their own, so the loop's three
// ends (unchanged, edited and defined, a define that fails) are run here.
// The test driver starts from its pristine state for each program's
// connection, so a one-line script edits and then shows what was defined.

import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDaemon, type ThrowawayDaemon } from "../../src/testing/daemon.js";
import { sharedDaemon } from "../e2e/daemon.js";
import { lr, virshRun, type Outcome } from "./helpers.js";

const available = sharedDaemon() !== null && process.env["LIBVIRT_E2E_DAEMON"] !== "11.3";

describe.skipIf(!available)("pool-edit runs $EDITOR as virsh does", () => {
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
    dir = mkdtempSync(join(tmpdir(), "lr-cli-pool-edit-"));
  });
  afterAll(async () => {
    await d?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  const both = async (args: string[], env: NodeJS.ProcessEnv): Promise<{ ours: Outcome; virsh: Outcome }> => ({
    virsh: await virshRun(["-c", d.uris.testTcp, ...args], env),
    ours: await lr(["-c", d.uris.testTcp, ...args], env),
  });

  it("unchanged, edited, and a define that fails", async () => {
    const unchanged = await both(["pool-edit", "default-pool"], { EDITOR: editor("same.sh", "exit 0") });
    expect(unchanged.ours).toEqual(unchanged.virsh);
    expect(unchanged.virsh.stdout).toBe("Pool default-pool XML configuration not changed.\n\n");

    // An inactive pool's XML is its definition, so the second command shows what the edit defined.
    const retarget = editor("retarget.sh", `sed -i 's|<path>/ep</path>|<path>/edited-pool</path>|' "$1"`);
    const edited = await both(["pool-define-as ep dir --target /ep; pool-edit ep; pool-dumpxml ep"], { EDITOR: retarget });
    // The new pool's UUID is random, one per program.
    const uuidless = (o: Outcome): Outcome => ({ ...o, stdout: o.stdout.replace(/<uuid>[0-9a-f-]{36}<\/uuid>/, "<uuid/>") });
    expect(uuidless(edited.ours)).toEqual(uuidless(edited.virsh));
    expect(edited.virsh.stdout).toContain("Pool ep XML configuration edited.\n");
    expect(edited.virsh.stdout).toContain("<path>/edited-pool</path>");

    const broken = await both(["pool-edit", "default-pool"], { EDITOR: editor("broken.sh", `echo '<pool type="dir"><name>x' > "$1"`) });
    expect(broken.ours).toEqual(broken.virsh);
    expect(broken.virsh.stderr).toBe("error: Failed.\n");
  });

  it("an editor that fails ends the command with libvirt's words", async () => {
    const failing = editor("fail.sh", "exit 3");
    const r = await both(["pool-edit", "default-pool"], { EDITOR: failing });
    // The temporary file's name is random: compare with it replaced.
    const same = (o: Outcome): Outcome => ({ ...o, stderr: o.stderr.replace(/virsh\w{6}\.xml/g, "virshXXXXXX.xml") });
    expect(same(r.ours)).toEqual(same(r.virsh));
    expect(r.virsh.code).toBe(1);
  });
});
