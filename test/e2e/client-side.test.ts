import { describe, expect, it } from "vitest";
import { open } from "../../src/api/connection.js";
import { python, sharedDaemon } from "./daemon.js";

const shared = sharedDaemon();

describe.skipIf(shared === null)("what libvirt's client answers itself: uri() and isSecure(), beside libvirt-python", () => {
  const twin = async (uri: string): Promise<[string, number]> =>
    JSON.parse(await python("import json,libvirt,sys; c=libvirt.open(sys.argv[1]); print(json.dumps([c.getURI(), c.isSecure()]))", uri)) as [string, number];

  it.each([
    ["plain TCP (not secure)", () => shared!.uris.qemuTcp],
    ["a Unix socket (secure)", () => shared!.uris.qemuUnix],
  ])("over %s", async (_what, uriOf) => {
    const uri = uriOf();
    const conn = await open(uri);
    try {
      const [pyUri, pySecure] = await twin(uri);
      expect([await conn.uri(), await conn.isSecure()]).toEqual([pyUri, pySecure]);
      expect(pyUri).toBe(uri);
    } finally {
      await conn.close();
    }
  });
});
