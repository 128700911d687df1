import { describe, expect, it } from "vitest";
import { connect } from "../../src/client/client.js";
import { sharedDaemon, uniqueName } from "./daemon.js";

const skip = sharedDaemon() === null;
const xml = (name: string): string => `<domain type='test'><name>${name}</name><memory>8192</memory><os><type>hvm</type></os></domain>`;
const within = <T>(p: Promise<T>, ms: number): Promise<T | "timed out"> =>
  Promise.race([p, new Promise<"timed out">((r) => setTimeout(() => r("timed out"), ms))]);

describe.skipIf(skip)("registration before the action, against the real daemon", () => {
  it("an event caused right after `await it.ready` on a fresh connection is delivered, 15 times of 15", async () => {
    const uri = sharedDaemon()!.uris.testTcp;
    let delivered = 0;
    for (let i = 0; i < 15; i++) {
      const conn = await connect(uri);
      try {
        const it = conn.events.stream("domain", "lifecycle");
        await it.ready;
        const name = uniqueName("ready");
        const { dom } = await conn.domainDefineXml({ xml: xml(name) });
        const r = await within(it.next(), 5000);
        if (r !== "timed out" && r.value?.data.dom.name === name) delivered++;
        await it.return();
        await conn.domainUndefine({ dom });
      } finally {
        await conn.close();
      }
    }
    expect(delivered).toBe(15);
  });

  it("waitFor: registered when `ready` resolves; the started event of the domain it started", async () => {
    const conn = await connect(sharedDaemon()!.uris.testTcp);
    try {
      const { dom } = await conn.domainDefineXml({ xml: xml(uniqueName("wait")) });
      // VIR_DOMAIN_EVENT_STARTED = 2.
      const started = conn.events.waitFor("domain", "lifecycle", { filter: dom, predicate: (e) => e.data.event === 2, timeout: 10_000 });
      await started.ready;
      await conn.domainCreate({ dom });
      const e = await started;
      expect(e.data.dom.name).toBe(dom.name);
      expect(e.data.event).toBe(2);
      await expect.poll(() => conn.events.registrationCount).toBe(0);
      await conn.domainDestroy({ dom });
      await conn.domainUndefine({ dom });
    } finally {
      await conn.close();
    }
  });
});
