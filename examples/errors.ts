// What a failed call tells: libvirt's error code, message and the procedure.
// Run: node node_modules/libvirt-remote/dist/examples/errors.js URI
import { LibvirtError, open } from "libvirt-remote";

const conn = await open(process.argv[2]);
try {
  await conn.domain("no-such-domain");
} catch (e) {
  if (!(e instanceof LibvirtError) || e.code !== "VIR_ERR_NO_DOMAIN") throw e;
  console.log(`${e.code} from ${e.procedure}: ${e.message}`);
}
await conn.close();
