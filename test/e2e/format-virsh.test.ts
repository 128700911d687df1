import { describe, expect, it } from "vitest";
import { connect } from "../../src/client/client.js";
import { formatVirsh } from "../../src/events/index.js";
import { sharedDaemon, uniqueName, virsh } from "./daemon.js";
import { Watcher } from "./watch.js";

const daemon = sharedDaemon();
const STAMP = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\+0000: /;

/** Resolves once `f` holds, polling; fails after a generous bound. */
async function until(f: () => boolean, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe.skipIf(daemon === null)("formatVirsh({ timestamp: true }) against virsh event --timestamp", () => {
  it("prints each lifecycle event as virsh's line, stamp and all, without a newline", async () => {
    const uri = daemon!.uris.testTcp;
    const conn = await connect(uri);
    const name = uniqueName("fmt-ev");
    const { dom } = await conn.domainDefineXml({ xml: `<domain type='test'><name>${name}</name><memory>8192</memory><os><type>hvm</type></os></domain>` });
    const ours: string[] = [];
    const sub = await conn.events.subscribe("domain", "lifecycle", (e) => void ours.push(formatVirsh(e, { timestamp: true })), { filter: dom });
    const theirs = new Watcher("stdbuf", ["-oL", "virsh", "-c", uri, "event", "--domain", name, "--event", "lifecycle", "--loop", "--timestamp"]);
    try {
      await conn.domainCreate({ dom });
      // Until virsh has registered: pause and resume; what either saw before "Stopped Destroyed" is left out.
      for (let i = 0; theirs.lines.length === 0; i++) {
        if (i > 200) throw new Error("virsh event printed nothing");
        await conn.domainSuspend({ dom });
        await conn.domainResume({ dom });
        await new Promise((r) => setTimeout(r, 50));
      }
      for (const step of ["destroy", "start", "suspend", "resume", "destroy", "undefine"]) await virsh(uri, step, name);
      const last = `event 'lifecycle' for domain '${name}': Undefined Removed`;
      await until(() => ours.some((l) => l.endsWith(last)) && theirs.lines.some((l) => l.endsWith(last)), "both to print the undefine");
      const from = (lines: string[]): string[] => lines.slice(lines.findIndex((l) => l.endsWith("Stopped Destroyed")));
      for (const line of ours) {
        expect(line).toMatch(STAMP);
        expect(line).not.toContain("\n");
      }
      // Each client stamps its own time of receipt: only the value is masked, the form is compared.
      const mask = (lines: string[]): string[] => lines.map((l) => l.replace(STAMP, "<stamp>: "));
      const theirsFrom = mask(from(theirs.lines));
      expect(theirsFrom).toHaveLength(6);
      expect(mask(from(ours))).toEqual(theirsFrom);
      expect(theirsFrom[0]).toBe(`<stamp>: event 'lifecycle' for domain '${name}': Stopped Destroyed`);
    } finally {
      theirs.stop();
      await sub.close();
      await conn.close();
    }
  });
});
