// Run by autostart.test.ts as an unprivileged user, from the build (dist/):
// connect(URI, OPTIONS) with no daemon running, one call, close; prints one
// JSON line with the outcome. With --barrier it first prints "ready" and
// waits for a line on stdin, so that two of it dial at the same moment.
import { once } from "node:events";
import { connect } from "../../dist/src/index.js";

const [uri, optionsJson, barrier] = process.argv.slice(2);
const options = JSON.parse(optionsJson ?? "{}");
if (barrier === "--barrier") {
  process.stdout.write("ready\n");
  await once(process.stdin, "data");
}
const started = Date.now();
try {
  const conn = await connect(uri, options);
  const { uri: daemonUri } = await conn.connectGetUri();
  const { lib_ver: libVer } = await conn.connectGetLibVersion();
  await conn.close();
  process.stdout.write(`${JSON.stringify({ ok: true, uri: daemonUri, libVersion: Number(libVer), ms: Date.now() - started })}\n`);
} catch (e) {
  const { name, code, reason, daemon, address, message } = e;
  process.stdout.write(`${JSON.stringify({ ok: false, name, code, reason, daemon, address, message, ms: Date.now() - started })}\n`);
}
process.stdin.destroy();
