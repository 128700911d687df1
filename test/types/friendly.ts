// Must NOT compile: each line marked `// error TSnnnn` is an error tsc has to report
// (test/api/types.test.ts runs tsc on this file and compares). Excluded from tsconfig.test.json.
import { type LibvirtError, VIR_DOMAIN_XML_SECURE, constants, open, type Domain } from "../../src/index.js";

export async function misuse(e: LibvirtError, dom: Domain): Promise<void> {
  if (e.code === "VIR_ERR_NO_DOMIAN") return; // error TS2367
  await dom.xmlDesc(constants.VIR_DOMAIN_XML_SECURED); // error TS2551
  await dom.xmlDesc(VIR_DOMAIN_XML_SECURE | constants.VIR_DOMIAN_XML_INACTIVE); // error TS2551
  await dom.xmlDesc("VIR_DOMAIN_XML_SECURE"); // error TS2345
  const conn = await open();
  await conn.domainDefineXml(); // error TS2554
  await dom.setMemory(); // error TS2554
  await dom.blockCopy("vda", "<disk/>", { bandwidth: "fast" }); // error TS2322
  await dom.migrateBegin3Params({ migrate_disks: ["vda", 2] }); // error TS2322
  const ok: typeof e.code = "VIR_ERR_NO_DOMAIN";
  void ok;
}
