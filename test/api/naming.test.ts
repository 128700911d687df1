// libvirt's procedure names to the friendly layer's method and class names.
import { expect, it } from "vitest";
import { className, methodName, type Kind } from "../../codegen/friendly-model.js";

const kind = (k: string): Kind => ({ kind: k, prefix: `${k.toUpperCase()}_`, cls: className(k), struct: { kind: "struct", name: `remote_nonnull_${k}`, loc: { file: "", line: 0, col: 0 }, fields: [], note: {} } });

it("strips the object's prefix and Get on handles; CONNECT_ and Get on the connection", () => {
  expect(methodName("DOMAIN_GET_XML_DESC", kind("domain"))).toBe("xmlDesc");
  expect(methodName("DOMAIN_SNAPSHOT_CREATE_XML", kind("domain"))).toBe("snapshotCreateXml");
  expect(methodName("STORAGE_VOL_CREATE_XML", kind("storage_pool"))).toBe("storageVolCreateXml");
  expect(methodName("CONNECT_GET_HOSTNAME", null)).toBe("hostname");
  expect(methodName("CONNECT_LIST_ALL_DOMAINS", null)).toBe("listAllDomains");
  expect(methodName("NODE_GET_MEMORY_STATS", null)).toBe("nodeMemoryStats");
  expect(methodName("DOMAIN_DEFINE_XML", null)).toBe("domainDefineXml");
  expect(className("nwfilter_binding")).toBe("NWFilterBinding");
  expect(className("domain_checkpoint")).toBe("DomainCheckpoint");
});
