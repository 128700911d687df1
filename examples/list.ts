// Every domain with its state, memory and vCPUs.
// Run: node node_modules/libvirt-remote/dist/examples/list.js URI
import { open, VIR_DOMAIN_RUNNING } from "libvirt-remote";

const conn = await open(process.argv[2]);
for (const dom of await conn.listAllDomains()) {
  const { state, memory, nrVirtCpu } = await dom.info();
  console.log(`${dom.name}: ${state === VIR_DOMAIN_RUNNING ? "running" : "not running"}, ${memory / 1024n} MiB, ${nrVirtCpu} vCPUs`);
}
await conn.close();
