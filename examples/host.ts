// Host info, capabilities, memory statistics and every domain's statistics.
// Run: node node_modules/libvirt-remote/dist/examples/host.js URI
import { jsonReplacer, open, VIR_NODE_MEMORY_STATS_ALL_CELLS } from "libvirt-remote";

const conn = await open(process.argv[2]);
const info = await conn.nodeInfo();
console.log(`${await conn.hostname()}: ${info.model}, ${info.cpus} CPUs at ${info.mhz} MHz, ${info.memory} KiB`);
console.log((await conn.capabilities()).length, "bytes of capabilities XML");
console.log(JSON.stringify(await conn.nodeMemoryStats(VIR_NODE_MEMORY_STATS_ALL_CELLS), jsonReplacer));
for (const { dom, params } of await conn.allDomainStats([], 0)) console.log(dom.name, JSON.stringify(params));
await conn.close();
