// Give up on a wait after a timeout; cancel a call with an AbortSignal.
// Run: node node_modules/libvirt-remote/dist/examples/timeout.js URI
import { AbortError, open, TimeoutError } from "libvirt-remote";

const conn = await open(process.argv[2]);
const dom = (await conn.listAllDomains())[0]!;
await conn.events.waitFor("domain", "reboot", { filter: dom, timeout: 200 }).catch((e: unknown) => {
  if (!(e instanceof TimeoutError)) throw e;
  console.log(`no reboot within 200 ms: ${e.message}`);
});
await dom.xmlDesc({ signal: AbortSignal.abort() }).catch((e: unknown) => {
  if (!(e instanceof AbortError)) throw e;
  console.log(`aborted: ${e.message}`);
});
console.log(`with a timeout: ${(await dom.xmlDesc({ timeout: 5000 })).length} bytes`);
await conn.close();
