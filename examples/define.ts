// Define a domain from XML, read its XML back, undefine it.
// Run: node node_modules/libvirt-remote/dist/examples/define.js URI [NAME=example]
import { open } from "libvirt-remote";

const name = process.argv[3] ?? "example";
const xml = `<domain type='test'><name>${name}</name><memory unit='MiB'>64</memory><os><type>hvm</type></os></domain>`;
const conn = await open(process.argv[2]);
const dom = await conn.domainDefineXml(xml);
console.log(`defined ${dom.name} ${dom.uuid}`);
console.log((await dom.xmlDesc()).split("\n").slice(0, 3).join("\n"));
await dom.undefine();
console.log(`undefined ${dom.name}`);
await conn.close();
