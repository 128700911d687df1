// Watch every event the daemon supports, for a few seconds.
// Run: node node_modules/libvirt-remote/dist/examples/events.js URI [SECONDS=5]
import { eventNames } from "libvirt-remote/events";
import { open } from "libvirt-remote";

const conn = await open(process.argv[2]);
const all = await conn.events.all((e) => console.log(e.family, e.event, eventNames(e)));
console.log(`watching ${all.subscriptions.length} events; skipped: ${all.skipped.map((s) => `${s.family}/${s.event}`).join(", ") || "none"}`);
await new Promise((resolve) => setTimeout(resolve, Number(process.argv[3] ?? 5) * 1000));
await all.close();
await conn.close();
