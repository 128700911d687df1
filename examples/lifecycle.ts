// Start a domain, stop it, and wait for each event.
// Run: node node_modules/libvirt-remote/dist/examples/lifecycle.js URI [DOMAIN=vm1]
import { open, VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STOPPED } from "libvirt-remote";

const conn = await open(process.argv[2]);
const dom = await conn.domain(process.argv[3] ?? "vm1");
for (const [action, event] of [["create", VIR_DOMAIN_EVENT_STARTED], ["destroy", VIR_DOMAIN_EVENT_STOPPED]] as const) {
  const w = conn.events.waitFor("domain", "lifecycle", { filter: dom, predicate: (e) => e.data.event === event, timeout: 10_000 });
  await w.ready;
  await dom[action]();
  await w;
  console.log(`${action}: event seen, id ${dom.id}`);
}
await conn.close();
