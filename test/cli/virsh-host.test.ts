// The Host and Hypervisor, Node Device and Interface groups' parts that the
// differential cases cannot reach: the number options' words, the
// iface-bridge/-unbridge rewrites (the test driver refuses the inactive XML
// they start from), and iface-edit through $EDITOR beside virsh 9.0.

import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Opts } from "../../src/cli/command.js";
import { extractCpuXmls } from "../../src/cli/virsh/hypervisor-cpu-xml.js";
import { bridgeXml, unbridgeXml } from "../../src/cli/virsh/iface-bridge.js";
import { intOpt, llOpt, scaledOpt } from "../../src/cli/virsh/node-options.js";
import { parseElements } from "../../src/cli/virsh/iface-xml.js";
import { causeLines } from "../../src/cli/vsh.js";
import { startDaemon, type ThrowawayDaemon } from "../../src/testing/daemon.js";
import { sharedDaemon } from "../e2e/daemon.js";
import { lr, virshRun, type Outcome } from "./helpers.js";

const opts = (values: Record<string, string>): Opts => new Opts(new Map(Object.entries(values).map(([k, v]) => [k, [v]])));
/** What virsh would print for what a call threw. */
const failure = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (e) {
    return causeLines(e);
  }
  throw new Error("did not fail");
};

describe("number options as vsh reads them", () => {
  it("vshCommandOptScaledInt: units, the default scale, and libvirt's own error after virsh's line", () => {
    expect(scaledOpt(opts({ s: "4" }), "s", 1024n, 0xffffffffn)).toBe(4096n);
    expect(scaledOpt(opts({ s: "2M" }), "s", 1024n, 0xffffffffn)).toBe(2097152n);
    expect(scaledOpt(opts({ s: "1KB" }), "s", 1024n, 0xffffffffn)).toBe(1000n);
    expect(scaledOpt(opts({ s: " +3bytes" }), "s", 1024n, 0xffffffffn)).toBe(3n);
    expect(scaledOpt(opts({}), "s", 1024n, 0xffffffffn)).toBeUndefined();
    expect(failure(() => scaledOpt(opts({ s: "4x" }), "s", 1024n, 0xffffffffn))).toEqual([
      "Scaled numeric value '4x' for <s> option is malformed or out of range",
      "invalid argument: unknown suffix 'x'",
    ]);
    expect(failure(() => scaledOpt(opts({ s: "99999999999" }), "s", 1024n, 0xffffffffn))).toEqual([
      "Scaled numeric value '99999999999' for <s> option is malformed or out of range",
      "numerical overflow: value too large: 99999999999",
    ]);
    expect(failure(() => scaledOpt(opts({ s: "-4" }), "s", 1024n, 0xffffffffn))).toEqual(["Scaled numeric value '-4' for <s> option is malformed or out of range"]);
  });

  it("vshCommandOptInt and vshCommandOptLongLong: signs, blanks in front, the type's range", () => {
    expect(intOpt(opts({ n: " -5" }), "n")).toBe(-5);
    expect(intOpt(opts({ n: "2147483647" }), "n")).toBe(2147483647);
    expect(failure(() => intOpt(opts({ n: "2147483648" }), "n"))).toEqual(["Numeric value '2147483648' for <n> option is malformed or out of range"]);
    expect(failure(() => intOpt(opts({ n: "1 " }), "n"))).toEqual(["Numeric value '1 ' for <n> option is malformed or out of range"]);
    expect(llOpt(opts({ n: "-9223372036854775808" }), "n")).toBe(-(2n ** 63n));
  });
});

describe("the XML the host commands take apart", () => {
  it("the scanner refuses what is not well formed", () => {
    expect(() => parseElements("<a><b></a>")).toThrow(/mismatched/);
    expect(() => parseElements("<a x=1/>")).toThrow(/quoted value/);
    expect(parseElements("<?xml version='1.0'?><!-- c --><a x='1'><b/>t<![CDATA[<c>]]></a><d/>").map((e) => e.name)).toEqual(["a", "d"]);
  });

  it("iface-bridge puts the interface, its <mac> and <vlan>, under the new bridge", () => {
    const eth = "<interface type='ethernet' name='eth1'>\n  <start mode='onboot'/>\n  <mac address='aa:bb:cc:dd:ee:ff'/>\n  <vlan tag='7'/>\n</interface>\n";
    expect(bridgeXml(eth, "eth1", "br0", 0)).toBe(
      "<interface type='bridge' name='br0'>\n  <start mode='onboot'/>\n  \n  \n" +
        "<bridge stp='on' delay='0'><interface type='ethernet' name='eth1'><mac address='aa:bb:cc:dd:ee:ff'/><vlan tag='7'/></interface></bridge></interface>\n",
    );
    expect(bridgeXml("<interface type='ethernet' name=\"e&amp;'\"/>", "e&'", "b<r", null)).toBe(
      "<interface type='bridge' name='b&lt;r'><bridge stp='off'><interface type='ethernet' name='e&amp;&apos;'></interface></bridge></interface>\n",
    );
    expect(failure(() => bridgeXml("<interface type='bridge' name='br1'/>", "br1", "br0", 0))).toEqual(["Existing device br1 is already a bridge"]);
    expect(failure(() => bridgeXml("<interface type='ethernet' name='eth2'/>", "eth1", "br0", 0))).toEqual(["Interface name from config eth2 doesn't match given supplied name eth1"]);
  });

  it("iface-unbridge brings the one attached interface back up, with its <mac>", () => {
    const br =
      "<interface type='bridge' name='br0'><start mode='onboot'/><bridge stp='on' delay='0'>" +
      "<interface type='ethernet' name='eth1'><mac address='aa:bb:cc:dd:ee:ff'/></interface></bridge></interface>";
    expect(unbridgeXml(br, "br0")).toEqual({
      ifName: "eth1",
      xml: "<interface type='ethernet' name='eth1'><start mode='onboot'/><bridge stp='on' delay='0'><interface type='ethernet' name='eth1'></interface></bridge><mac address='aa:bb:cc:dd:ee:ff'/></interface>\n",
    });
    expect(failure(() => unbridgeXml("<interface type='bridge' name='br0'><bridge/></interface>", "br0"))).toEqual(["No interface attached to bridge"]);
    expect(failure(() => unbridgeXml("<interface type='bridge' name='br0'><bridge><interface/><interface/></bridge></interface>", "br0"))).toEqual([
      "Multiple interfaces attached to bridge",
    ]);
    expect(failure(() => unbridgeXml("<interface type='ethernet' name='br0'/>", "br0"))).toEqual(["Device br0 is not a bridge"]);
  });

  it("cpu-baseline's CPUs: document order, and domain capabilities' host-model as <cpu>", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lr-cli-cpu-"));
    try {
      const file = join(dir, "cpus.xml");
      writeFileSync(
        file,
        "<?xml version='1.0'?>\n<domain><cpu><model>a</model></cpu></domain>\n<cpu><model>b</model></cpu>\n" +
          "<domainCapabilities><cpu><mode name='host-model' supported='yes'><model>c</model></mode><mode name='custom' supported='yes'/></cpu></domainCapabilities>\n",
      );
      expect(await extractCpuXmls(file)).toEqual(["<cpu>\n  <model>a</model>\n</cpu>", "<cpu>\n  <model>b</model>\n</cpu>", "<cpu>\n  <model>c</model>\n</cpu>"]);
      writeFileSync(file, "<network/>");
      await expect(extractCpuXmls(file)).rejects.toThrow(/does not contain any <cpu> element/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const available = sharedDaemon() !== null && process.env["LIBVIRT_E2E_DAEMON"] !== "11.3";

/** The temporary file's name is random: both outcomes with it replaced. */
const masked = (o: Outcome): Outcome => ({ ...o, stderr: o.stderr.replace(/virsh\w{6}\.xml/g, "virshXXXXXX.xml") });

describe.skipIf(!available)("iface-edit runs $EDITOR as virsh does", () => {
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
    dir = mkdtempSync(join(tmpdir(), "lr-cli-iface-edit-"));
  });
  afterAll(async () => {
    await d?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  const both = async (args: string[], env: NodeJS.ProcessEnv): Promise<{ ours: Outcome; virsh: Outcome }> => ({
    virsh: masked(await virshRun(["-c", d.uris.qemuTcp, ...args], env)),
    ours: masked(await lr(["-c", d.uris.qemuTcp, ...args], env)),
  });

  // The session daemon's interfaces are the host's, read only: nothing here can define one
  // (unchanged never defines; the broken XML is refused before any backend sees it).
  it("unchanged, a define that fails, an editor that fails", async () => {
    const unchanged = await both(["iface-edit", "lo"], { EDITOR: editor("same.sh", "exit 0") });
    expect(unchanged.ours).toEqual(unchanged.virsh);
    expect(unchanged.virsh.stdout).toBe("Interface lo XML configuration not changed.\n\n");

    const broken = await both(["iface-edit", "lo"], { EDITOR: editor("break.sh", 'echo "<interface" > "$1"') });
    expect(broken.ours).toEqual(broken.virsh);
    expect(broken.virsh.stderr).toBe("error: Failed.\n");
    expect(broken.virsh.stdout).toBe("Interface (null) XML configuration edited.\n\n");

    const failing = await both(["iface-edit", "lo"], { EDITOR: editor("fail.sh", "exit 3") });
    expect(failing.ours).toEqual(failing.virsh);
    expect(failing.virsh.code).toBe(1);
  }, 120_000);
});
