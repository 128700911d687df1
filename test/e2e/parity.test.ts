import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { open, type Connection } from "../../src/api/connection.js";
import { prepareRichGuest, removeRichGuest, type RichGuest } from "../../parity/guest.js";
import { report, runParity } from "../../parity/harness.js";
import { sharedDaemon, uniqueName } from "./daemon.js";

const shared = sharedDaemon();

/**
 * The part of `npm run parity` that holds still on the run's shared daemon:
 * the guest's own getters, its pool, volumes and secret, and node facts.
 * Connection-wide lists are left to `npm run parity` (other test files
 * create domains on this daemon meanwhile).
 */
const SUBSET = /^(Domain|StoragePool|StorageVol|Secret)\.|^Connection\.(type|version|libVersion|uri|isSecure|nodeInfo|nodeCpuMap|nodeSecurityModel|capabilities)$/;

describe.skipIf(shared === null)("parity: friendly getters beside libvirt-python on a rich QEMU guest (TCG)", () => {
  const uri = shared?.uris.qemuTcp ?? "";
  const name = uniqueName("parity");
  let conn: Connection;
  let guest: RichGuest;

  beforeAll(async () => {
    conn = await open(uri);
    guest = await prepareRichGuest(conn, name);
  });

  afterAll(async () => {
    if (conn !== undefined) {
      await removeRichGuest(conn, guest ?? { domain: name, pool: `${name}-pool`, secretUuid: "" });
      await conn.close();
    }
  });

  it("every getter of the subset equals libvirt-python's after its documented normalisation", async () => {
    const results = await runParity(uri, guest, (n) => SUBSET.test(n));
    const lines = report(results);
    console.log(lines.join("\n"));
    expect(results.filter((r) => r.status === "differ").map((r) => `${r.name}: ${r.detail}`)).toEqual([]);
    const compared = results.filter((r) => r.status !== "skipped").length;
    expect(compared).toBeGreaterThanOrEqual(60);
    // The CPU maps, the IOThreads and the group's disks are among those compared.
    for (const m of ["Domain.vcpuPinInfo", "Domain.emulatorPinInfo", "Domain.iothreadInfo", "Domain.vcpus", "Domain.blockIoTune(vda)", "Domain.numaParameters"]) {
      expect(results.find((r) => r.name === m)?.status).toBe("equal");
    }
  });
});
