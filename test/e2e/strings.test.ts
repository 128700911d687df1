// Strings past ASCII against the real daemon, compared byte for byte with
// virsh: libvirt's XDR strings are bytes that it keeps as given, so U+0080
// must travel as C2 80 and a leading U+FEFF (a UTF-8 BOM) as EF BB BF, both
// ways, never dropped.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type Client } from "../../src/client/client.js";
import { VIR_DOMAIN_AFFECT_CONFIG, VIR_DOMAIN_METADATA_TITLE } from "../../src/gen/friendly/constants.js";
import { sharedDaemon, uniqueName } from "./daemon.js";

const run = promisify(execFile);
const daemon = sharedDaemon();

/** virsh's stdout as the bytes it wrote. */
async function virshBytes(uri: string, ...args: string[]): Promise<Buffer> {
  const { stdout } = await run("virsh", ["-c", uri, ...args], { encoding: "buffer" });
  return stdout;
}

describe.skipIf(daemon === null)("strings past ASCII, as virsh sends and reads them", () => {
  // test:///default lives as long as a connection to it: this one keeps the domain there for virsh.
  const uri = daemon?.uris.testTcp ?? "";
  let client: Client;
  const name = uniqueName("utf8");
  let dom: { name: string; uuid: Uint8Array; id: number };

  beforeAll(async () => {
    client = await connect(uri, { keepalive: false });
    const xml = `<domain type='test'><name>${name}</name><memory>8192</memory><os><type>hvm</type></os></domain>`;
    dom = (await client.domainDefineXml({ xml })).dom;
  });
  afterAll(async () => {
    await client.domainUndefine({ dom });
    await client.close();
  });

  it("a title we set is the bytes virsh prints: U+0080 as C2 80, U+FEFF as EF BB BF, leading or not", async () => {
    for (const title of ["\u0080\ufeff caf\u00e9", "\ufeffy\u0080"]) {
      await client.domainSetMetadata({ dom, type: VIR_DOMAIN_METADATA_TITLE, metadata: title, key: null, uri: null, flags: VIR_DOMAIN_AFFECT_CONFIG });
      expect((await virshBytes(uri, "desc", name, "--title", "--config")).toString("hex")).toBe(Buffer.from(`${title}\n`).toString("hex"));
    }
  });

  it("a title virsh sets is read back whole, the leading U+FEFF kept", async () => {
    const title = "\ufeffy\u0080";
    await virshBytes(uri, "desc", name, "--title", "--config", "--new-desc", title);
    const { metadata } = await client.domainGetMetadata({ dom, type: VIR_DOMAIN_METADATA_TITLE, uri: null, flags: VIR_DOMAIN_AFFECT_CONFIG });
    expect(metadata).toBe(title);
  });
});
