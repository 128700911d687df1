/**
 * The parity table: each friendly getter beside its libvirt-python twin
 * (a Python expression twin.py evaluates), and how the friendly value is
 * brought to the twin's shape. Every normalisation is named in `norm`, so
 * the report says what was done to a value before it was compared:
 *
 * - `tuple`: libvirt-python returns a struct as a list in C's field order;
 *   the friendly object's fields are listed in that order.
 * - `dict`: a list of `{ key, value }` pairs (disk errors, memory stats by
 *   libvirt-python's names for VIR_DOMAIN_MEMORY_STAT_*) as an object.
 * - `names`: handles compared by name (libvirt-python gives objects).
 * - `chars`: a C char array (security label, model, DOI) as the text before its NUL.
 * - `bools`: a CPU map's bytes as booleans, one per host CPU.
 * - `MiB`: virNodeGetInfo's memory, which libvirt-python shifts to MiB.
 * - `volatile:<fields>`: counters that move between two reads (CPU time,
 *   free memory): their presence and kind are compared, not their value.
 * - `bool`: an int libvirt-python gives as a bool (a security label's `enforcing`).
 * - `job`: virDomainGetBlockJobInfo's reply as libvirt-python's dict, empty when no job was found.
 * - `per-cpu`: virDomainGetCPUStats for each host CPU, whose fields arrive once
 *   per CPU (read back as arrays), as libvirt-python's list of one dict per CPU.
 * - `ifaces`: virDomainInterfaceAddresses' list as libvirt-python's dict by interface name.
 * - `pages`: virNodeGetFreePages' counts as libvirt-python's dict by cell and page size.
 * - `typed+type`: virDomainGetJobStats' typed parameters with `type` added as a key, as libvirt-python does.
 */
import type { Connection } from "../src/api/connection.js";
import { cpuMapsToBooleans } from "../src/api/cpumap.js";
import type { Domain } from "../src/gen/friendly/domain.js";
import type { StoragePool } from "../src/gen/friendly/storage_pool.js";
import type { StorageVol } from "../src/gen/friendly/storage_vol.js";
import type { Secret } from "../src/gen/friendly/secret.js";
import type { Network } from "../src/gen/friendly/network.js";
import type { NodeDevice } from "../src/gen/friendly/node_device.js";
import { VOLATILE } from "./compare.js";

export interface Targets {
  conn: Connection;
  dom: Domain;
  pool: StoragePool | null;
  secret: Secret | null;
  network: Network | null;
  nodeDevice: NodeDevice | null;
  disks: readonly string[];
  interfaces: readonly string[];
  metadataUri: string;
}

export interface ParityMethod {
  /** `Domain.info`, `Domain.blockStats(vda)`. */
  name: string;
  /** libvirt-python's twin, with `conn`, `dom`, `pool`, `secret` and `libvirt` bound. */
  py: string;
  ours: () => Promise<unknown>;
  norm?: string;
}

type Obj = Record<string, unknown>;
const tuple = <O extends object>(o: O, keys: readonly (keyof O & string)[]): unknown[] => keys.map((k) => o[k]);
const names = (hs: readonly { name: string }[]): { name: string }[] => hs.map((h) => ({ name: h.name }));
const chars = (c: readonly number[]): string => {
  const end = c.indexOf(0);
  return Buffer.from(end < 0 ? c : c.slice(0, end)).toString("utf8");
};
/** Fields set to VOLATILE: compared by kind only. */
function volatile<T extends object>(v: T, keys: readonly (string | number)[]): T {
  const o = (Array.isArray(v) ? [...(v as unknown[])] : { ...v }) as Record<string | number, unknown>;
  for (const k of keys) if (k in o) o[k] = VOLATILE;
  return o as T;
}
const volatileAll = (o: Obj): Obj => Object.fromEntries(Object.keys(o).map((k) => [k, VOLATILE]));

/** libvirt-python's keys for VIR_DOMAIN_MEMORY_STAT_* (it leaves unknown tags out). */
const MEMORY_STAT = ["swap_in", "swap_out", "major_fault", "minor_fault", "unused", "available", "actual", "rss", "usable", "last_update", "disk_caches", "hugetlb_pgalloc", "hugetlb_pgfail"];
/** Domain statistics that move while a paused guest is read twice. */
const MOVING_STAT = /^cpu\.|time|rss|last-update|fault|^dirtyrate/;
const JOB_INFO = ["type", "timeElapsed", "timeRemaining", "dataTotal", "dataProcessed", "dataRemaining", "memTotal", "memProcessed", "memRemaining", "fileTotal", "fileProcessed", "fileRemaining"] as const;

function domainMethods(t: Targets): ParityMethod[] {
  const d = t.dom;
  const m = (name: string, py: string, ours: () => Promise<unknown>, norm?: string): ParityMethod => ({ name: `Domain.${name}`, py, ours, ...(norm === undefined ? {} : { norm }) });
  const list: ParityMethod[] = [
    m("name", "dom.name()", async () => d.name),
    m("uuid", "dom.UUIDString()", async () => d.uuid),
    m("id", "dom.ID()", async () => d.id),
    m("xmlDesc", "dom.XMLDesc(0)", () => d.xmlDesc()),
    m("xmlDesc(inactive)", "dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)", () => d.xmlDesc(2)),
    m("autostart", "dom.autostart()", () => d.autostart()),
    m("info", "dom.info()", async () => volatile(tuple(await d.info(), ["state", "maxMem", "memory", "nrVirtCpu", "cpuTime"]), [4]), "tuple, volatile:cpuTime"),
    m("maxMemory", "dom.maxMemory()", () => d.maxMemory()),
    m("maxVcpus", "dom.maxVcpus()", () => d.maxVcpus()),
    m("osType", "dom.OSType()", () => d.osType()),
    m("schedulerType", "dom.schedulerType()", async () => tuple(await d.schedulerType(), ["type", "nparams"]), "tuple"),
    m("securityLabel", "dom.securityLabel()", async () => {
      const r = await d.securityLabel();
      return [chars(r.label), r.enforcing !== 0];
    }, "tuple, chars, bool"),
    m("securityLabelList", "dom.securityLabelList()", async () => (await d.securityLabelList()).labels.map((l) => [chars(l.label), l.enforcing !== 0]), "tuple, chars, bool"),
    m("isActive", "dom.isActive()", () => d.isActive()),
    m("isPersistent", "dom.isPersistent()", () => d.isPersistent()),
    m("isUpdated", "dom.isUpdated()", () => d.isUpdated()),
    m("memoryStats", "dom.memoryStats()", async () => {
      const out: Obj = {};
      for (const s of await d.memoryStats()) if (MEMORY_STAT[s.tag] !== undefined) out[MEMORY_STAT[s.tag]!] = s.val;
      return volatile(out, ["rss", "last_update", "minor_fault", "major_fault"]);
    }, "dict, volatile:rss,last_update,minor_fault,major_fault"),
    m("jobInfo", "dom.jobInfo()", async () => tuple(await d.jobInfo(), JOB_INFO), "tuple"),
    m("jobStats", "dom.jobStats(0)", async () => {
      const r = await d.jobStats();
      return { ...r.params, type: r.type };
    }, "typed+type"),
    m("hasManagedSaveImage", "dom.hasManagedSaveImage(0)", () => d.hasManagedSaveImage()),
    m("managedSaveGetXmlDesc", "dom.managedSaveGetXMLDesc(0)", () => d.managedSaveGetXmlDesc()),
    m("snapshotNum", "dom.snapshotNum(0)", () => d.snapshotNum()),
    m("snapshotListNames", "dom.snapshotListNames(0)", () => d.snapshotListNames()),
    m("hasCurrentSnapshot", "dom.hasCurrentSnapshot(0)", () => d.hasCurrentSnapshot()),
    m("listAllSnapshots", "dom.listAllSnapshots(0)", async () => names(await d.listAllSnapshots()), "names"),
    m("listAllCheckpoints", "dom.listAllCheckpoints(0)", async () => names(await d.listAllCheckpoints()), "names"),
    m("memoryParameters", "dom.memoryParameters(0)", () => d.memoryParameters()),
    m("blkioParameters", "dom.blkioParameters(0)", () => d.blkioParameters()),
    m("numaParameters", "dom.numaParameters(0)", () => d.numaParameters()),
    m("schedulerParameters", "dom.schedulerParametersFlags(0)", () => d.schedulerParameters()),
    m("perfEvents", "dom.perfEvents(0)", () => d.perfEvents()),
    m("launchSecurityInfo", "dom.launchSecurityInfo(0)", () => d.launchSecurityInfo()),
    m("vcpusFlags", "dom.vcpusFlags(0)", () => d.vcpusFlags()),
    m("vcpusFlags(maximum)", "dom.vcpusFlags(libvirt.VIR_DOMAIN_VCPU_MAXIMUM)", () => d.vcpusFlags(4)),
    m("vcpus", "dom.vcpus()", async () => {
      const r = await d.vcpus();
      return [r.info.map((v) => [v.number, v.state, VOLATILE, v.cpu]), r.cpumaps];
    }, "tuple, volatile:cpu_time"),
    m("vcpuPinInfo", "dom.vcpuPinInfo(0)", () => d.vcpuPinInfo()),
    m("emulatorPinInfo", "dom.emulatorPinInfo(0)", () => d.emulatorPinInfo()),
    m("iothreadInfo", "dom.ioThreadInfo(0)", async () => (await d.iothreadInfo()).map((i) => [i.iothread_id, i.cpumap]), "tuple"),
    m("state", "dom.state(0)", async () => tuple(await d.state(), ["state", "reason"]), "tuple"),
    m("controlInfo", "dom.controlInfo(0)", async () => volatile(tuple(await d.controlInfo(), ["state", "details", "stateTime"]), [2]), "tuple, volatile:stateTime"),
    m("diskErrors", "dom.diskErrors(0)", async () => Object.fromEntries((await d.diskErrors()).errors.map((e) => [e.disk, e.error])), "dict"),
    m("migrateGetMaxSpeed", "dom.migrateGetMaxSpeed(0)", () => d.migrateGetMaxSpeed()),
    m("migrateGetMaxDowntime", "dom.migrateGetMaxDowntime(0)", () => d.migrateGetMaxDowntime()),
    m("migrateGetCompressionCache", "dom.migrateGetCompressionCache(0)", () => d.migrateGetCompressionCache()),
    m("hostname", "dom.hostname(0)", () => d.hostname()),
    m("time", "dom.getTime(0)", async () => volatile({ ...(await d.time()) }, ["seconds", "nseconds"]), "volatile:seconds,nseconds"),
    m("fsinfo", "dom.fsInfo(0)", async () => (await d.fsinfo()).info),
    m("guestVcpus", "dom.guestVcpus(0)", () => d.guestVcpus()),
    m("backupGetXmlDesc", "dom.backupGetXMLDesc(0)", () => d.backupGetXmlDesc()),
    m("messages", "dom.messages(0)", () => d.messages()),
    m("snapshotCurrent", "dom.snapshotCurrent(0)", async () => ({ name: (await d.snapshotCurrent()).name }), "names"),
    m("autostartOnce", "dom.autostartOnce()", () => d.autostartOnce()),
    m("cpuStats(total)", "dom.getCPUStats(True, 0)", async () => [volatileAll(await d.cpuStats(-1, 1))], "volatile"),
    m("cpuStats(per CPU)", "dom.getCPUStats(False, 0)", async () => {
      const per = await d.cpuStats(0, (await t.conn.nodeInfo()).cpus);
      const n = Math.max(...Object.values(per).map((v) => (Array.isArray(v) ? v.length : 1)));
      return Array.from({ length: n }, (_, i) => Object.fromEntries(Object.entries(per).map(([k, v]) => [k, Array.isArray(v) ? (v[i] === undefined ? undefined : VOLATILE) : VOLATILE])));
    }, "per-cpu, volatile"),
    m("guestInfo", "dom.guestInfo(0, 0)", () => d.guestInfo(0)),
    ...[0, 2].map((source) =>
      m(`interfaceAddresses(${source === 0 ? "lease" : "arp"})`, `dom.interfaceAddresses(${source}, 0)`, async () =>
        Object.fromEntries((await d.interfaceAddresses(source)).map((i) => [i.name, { addrs: i.addrs.map((a) => ({ type: a.type, addr: a.addr, prefix: a.prefix })), hwaddr: i.hwaddr }])), "ifaces"),
    ),
    m("allDomainStats", "[(x.name(), st) for x, st in conn.domainListGetStats([dom], 0, 0)]", async () =>
      (await t.conn.allDomainStats([d], 0)).map((r) => [r.dom.name, Object.fromEntries(Object.entries(r.params).map(([k, v]) => [k, typeof v === "string" || typeof v === "boolean" || !MOVING_STAT.test(k) ? v : VOLATILE]))]), "tuple, names, volatile:times,cpu.*,rss,faults"),
    m("metadata(title)", "dom.metadata(libvirt.VIR_DOMAIN_METADATA_TITLE, None, 0)", () => d.metadata(1, null)),
    m("metadata(description)", "dom.metadata(libvirt.VIR_DOMAIN_METADATA_DESCRIPTION, None, 0)", () => d.metadata(0, null)),
    m("metadata(element)", `dom.metadata(libvirt.VIR_DOMAIN_METADATA_ELEMENT, ${JSON.stringify(t.metadataUri)}, 0)`, () => d.metadata(2, t.metadataUri)),
  ];
  for (const disk of t.disks) {
    const q = JSON.stringify(disk);
    list.push(
      m(`blockIoTune(${disk})`, `dom.blockIoTune(${q}, 0)`, () => d.blockIoTune(disk)),
      m(`blockStats(${disk})`, `dom.blockStats(${q})`, async () => tuple(await d.blockStats(disk), ["rd_req", "rd_bytes", "wr_req", "wr_bytes", "errs"]), "tuple"),
      m(`blockStatsFlags(${disk})`, `dom.blockStatsFlags(${q}, 0)`, () => d.blockStatsFlags(disk)),
      m(`blockInfo(${disk})`, `dom.blockInfo(${q}, 0)`, async () => tuple(await d.blockInfo(disk), ["capacity", "allocation", "physical"]), "tuple"),
      m(`blockJobInfo(${disk})`, `dom.blockJobInfo(${q}, 0)`, async () => {
        const { found, ...job } = await d.blockJobInfo(disk);
        return found === 0 ? {} : job;
      }, "job"),
    );
  }
  for (const dev of t.interfaces) {
    const q = JSON.stringify(dev);
    list.push(
      m(`interfaceStats(${dev})`, `dom.interfaceStats(${q})`, async () => tuple(await d.interfaceStats(dev), ["rx_bytes", "rx_packets", "rx_errs", "rx_drop", "tx_bytes", "tx_packets", "tx_errs", "tx_drop"]), "tuple"),
      m(`interfaceParameters(${dev})`, `dom.interfaceParameters(${q}, 0)`, () => d.interfaceParameters(dev)),
    );
  }
  return list;
}

function connectionMethods(t: Targets): ParityMethod[] {
  const c = t.conn;
  const m = (name: string, py: string, ours: () => Promise<unknown>, norm?: string): ParityMethod => ({ name: `Connection.${name}`, py, ours, ...(norm === undefined ? {} : { norm }) });
  return [
    m("type", "conn.getType()", () => c.type()),
    m("version", "conn.getVersion()", () => c.version()),
    m("libVersion", "conn.getLibVersion()", () => c.libVersion()),
    m("hostname", "conn.getHostname()", () => c.hostname()),
    m("uri", "conn.getURI()", () => c.uri()),
    m("isSecure", "conn.isSecure()", () => c.isSecure()),
    m("capabilities", "conn.getCapabilities()", () => c.capabilities()),
    m("sysinfo", "conn.getSysinfo(0)", () => c.sysinfo()),
    m("maxVcpus(qemu)", "conn.getMaxVcpus('qemu')", () => c.maxVcpus("qemu")),
    m("cpuModelNames(x86_64)", "conn.getCPUModelNames('x86_64', 0)", () => c.cpuModelNames("x86_64")),
    m("domainCapabilities", "conn.getDomainCapabilities(None, None, None, None, 0)", () => c.domainCapabilities(null, null, null, null)),
    m("storagePoolCapabilities", "conn.getStoragePoolCapabilities(0)", () => c.storagePoolCapabilities()),
    m("nodeInfo", "conn.getInfo()", async () => {
      const r = await c.nodeInfo();
      return [r.model, r.memory >> 10n, r.cpus, r.mhz, r.nodes, r.sockets, r.cores, r.threads];
    }, "tuple, MiB"),
    m("nodeSecurityModel", "conn.getSecurityModel()", async () => {
      const r = await c.nodeSecurityModel();
      return [chars(r.model), chars(r.doi)];
    }, "tuple, chars"),
    m("nodeCpuMap", "conn.getCPUMap(0)", async () => {
      const r = await c.nodeCpuMap(1, 1);
      return [r.ret, cpuMapsToBooleans(r.cpumap, 1, r.ret)[0], r.online];
    }, "tuple, bools"),
    m("nodeMemoryParameters", "conn.getMemoryParameters(0)", () => c.nodeMemoryParameters()),
    m("nodeFreeMemory", "conn.getFreeMemory()", async () => VOLATILE, "volatile"),
    m("nodeCellsFreeMemory", "conn.getCellsFreeMemory(0, 1)", async () => (await c.nodeCellsFreeMemory(0)).map(() => VOLATILE), "volatile"),
    m("nodeCpuStats", "conn.getCPUStats(-1, 0)", async () => volatileAll(await c.nodeCpuStats(-1)), "dict, volatile"),
    m("nodeMemoryStats", "conn.getMemoryStats(-1, 0)", async () => volatileAll(await c.nodeMemoryStats(-1)), "dict, volatile"),
    m("nodeSevInfo", "conn.getSEVInfo(0)", () => c.nodeSevInfo()),
    m("listDomains", "conn.listDomainsID()", () => c.listDomains()),
    m("numOfDomains", "conn.numOfDomains()", () => c.numOfDomains()),
    m("listDefinedDomains", "conn.listDefinedDomains()", () => c.listDefinedDomains()),
    m("numOfDefinedDomains", "conn.numOfDefinedDomains()", () => c.numOfDefinedDomains()),
    m("listAllDomains", "conn.listAllDomains(0)", async () => names(await c.listAllDomains()), "names"),
    m("listNetworks", "conn.listNetworks()", () => c.listNetworks()),
    m("numOfNetworks", "conn.numOfNetworks()", () => c.numOfNetworks()),
    m("listDefinedNetworks", "conn.listDefinedNetworks()", () => c.listDefinedNetworks()),
    m("numOfDefinedNetworks", "conn.numOfDefinedNetworks()", () => c.numOfDefinedNetworks()),
    m("listAllNetworks", "conn.listAllNetworks(0)", async () => names(await c.listAllNetworks()), "names"),
    m("listStoragePools", "conn.listStoragePools()", () => c.listStoragePools()),
    m("numOfStoragePools", "conn.numOfStoragePools()", () => c.numOfStoragePools()),
    m("listDefinedStoragePools", "conn.listDefinedStoragePools()", () => c.listDefinedStoragePools()),
    m("numOfDefinedStoragePools", "conn.numOfDefinedStoragePools()", () => c.numOfDefinedStoragePools()),
    m("listAllStoragePools", "conn.listAllStoragePools(0)", async () => names(await c.listAllStoragePools()), "names"),
    m("listInterfaces", "conn.listInterfaces()", () => c.listInterfaces()),
    m("numOfInterfaces", "conn.numOfInterfaces()", () => c.numOfInterfaces()),
    m("listDefinedInterfaces", "conn.listDefinedInterfaces()", () => c.listDefinedInterfaces()),
    m("numOfDefinedInterfaces", "conn.numOfDefinedInterfaces()", () => c.numOfDefinedInterfaces()),
    m("listAllInterfaces", "conn.listAllInterfaces(0)", async () => names(await c.listAllInterfaces()), "names"),
    m("listSecrets", "conn.listSecrets()", () => c.listSecrets()),
    m("numOfSecrets", "conn.numOfSecrets()", () => c.numOfSecrets()),
    m("listNwfilters", "conn.listNWFilters()", () => c.listNwfilters()),
    m("numOfNwfilters", "conn.numOfNWFilters()", () => c.numOfNwfilters()),
    m("listAllNwfilters", "conn.listAllNWFilters(0)", async () => names(await c.listAllNwfilters()), "names"),
    m("listAllNwfilterBindings", "conn.listAllNWFilterBindings(0)", async () => (await c.listAllNwfilterBindings()).map((b) => ({ name: b.portdev })), "names (port device)"),
    m("listAllNodeDevices", "conn.listAllDevices(0)", async () => names(await c.listAllNodeDevices()), "names"),
    m("nodeNumOfDevices", "conn.numOfDevices(None, 0)", () => c.nodeNumOfDevices(null)),
    m("nodeListDevices", "conn.listDevices(None, 0)", () => c.nodeListDevices(null)),
    m("listAllSecrets", "[s.UUIDString() for s in conn.listAllSecrets(0)]", async () => (await c.listAllSecrets()).map((s) => s.uuid), "UUIDs"),
    m("nodeFreePages", "conn.getFreePages([4, 2048], 0, 1, 0)", async () => {
      const counts = await c.nodeFreePages([4, 2048], 0, 1);
      return { "0": Object.fromEntries([4, 2048].map((size, i) => [String(size), counts[i] === undefined ? undefined : VOLATILE])) };
    }, "pages, volatile"),
  ];
}

function poolMethods(t: Targets): ParityMethod[] {
  const p = t.pool;
  if (p === null) return [];
  const m = (name: string, py: string, ours: () => Promise<unknown>, norm?: string): ParityMethod => ({ name: `StoragePool.${name}`, py, ours, ...(norm === undefined ? {} : { norm }) });
  return [
    m("name", "pool.name()", async () => p.name),
    m("uuid", "pool.UUIDString()", async () => p.uuid),
    m("info", "pool.info()", async () => tuple(await p.info(), ["state", "capacity", "allocation", "available"]), "tuple"),
    m("xmlDesc", "pool.XMLDesc(0)", () => p.xmlDesc()),
    m("autostart", "pool.autostart()", () => p.autostart()),
    m("isActive", "pool.isActive()", () => p.isActive()),
    m("isPersistent", "pool.isPersistent()", () => p.isPersistent()),
    m("numOfVolumes", "pool.numOfVolumes()", () => p.numOfVolumes()),
    m("listVolumes", "sorted(pool.listVolumes())", async () => [...(await p.listVolumes())].sort(), "sorted (the daemon's order is a hash table's)"),
    m("listAllVolumes", "sorted(pool.listAllVolumes(0), key=lambda v: v.name())", async () => names(await p.listAllVolumes()).sort((a, b) => (a.name < b.name ? -1 : 1)), "names, sorted"),
  ];
}

/** Per-volume getters, for each volume of the pool. */
export async function volumeMethods(t: Targets): Promise<ParityMethod[]> {
  if (t.pool === null) return [];
  const vols: StorageVol[] = await t.pool.listAllVolumes();
  return vols.flatMap((v) => {
    const py = `pool.storageVolLookupByName(${JSON.stringify(v.name)})`;
    const m = (name: string, expr: string, ours: () => Promise<unknown>, norm?: string): ParityMethod => ({ name: `StorageVol.${name}(${v.name})`, py: `${py}.${expr}`, ours, ...(norm === undefined ? {} : { norm }) });
    return [
      m("key", "key()", async () => v.key),
      m("path", "path()", () => v.path()),
      m("info", "info()", async () => tuple(await v.info(), ["type", "capacity", "allocation"]), "tuple"),
      m("xmlDesc", "XMLDesc(0)", () => v.xmlDesc()),
    ];
  });
}

function networkMethods(t: Targets): ParityMethod[] {
  const n = t.network;
  if (n === null) return [];
  const m = (name: string, py: string, ours: () => Promise<unknown>, norm?: string): ParityMethod => ({ name: `Network.${name}`, py, ours, ...(norm === undefined ? {} : { norm }) });
  return [
    m("name", "net.name()", async () => n.name),
    m("uuid", "net.UUIDString()", async () => n.uuid),
    m("xmlDesc", "net.XMLDesc(0)", () => n.xmlDesc()),
    m("xmlDesc(inactive)", "net.XMLDesc(libvirt.VIR_NETWORK_XML_INACTIVE)", () => n.xmlDesc(1)),
    m("autostart", "net.autostart()", () => n.autostart()),
    m("isActive", "net.isActive()", () => n.isActive()),
    m("isPersistent", "net.isPersistent()", () => n.isPersistent()),
    m("bridgeName", "net.bridgeName()", () => n.bridgeName()),
    m("listAllPorts", "[{'name': p.UUIDString()} for p in net.listAllPorts(0)]", async () => (await n.listAllPorts()).map((p) => ({ name: p.uuid })), "UUIDs"),
  ];
}

function nodeDeviceMethods(t: Targets): ParityMethod[] {
  const v = t.nodeDevice;
  if (v === null) return [];
  const m = (name: string, py: string, ours: () => Promise<unknown>): ParityMethod => ({ name: `NodeDevice.${name}(${v.name})`, py, ours });
  return [
    m("xmlDesc", "nodedev.XMLDesc(0)", () => v.xmlDesc()),
    m("parent", "nodedev.parent()", () => v.parent()),
    m("numOfCaps", "nodedev.numOfCaps()", () => v.numOfCaps()),
    m("listCaps", "nodedev.listCaps()", () => v.listCaps()),
    m("isActive", "nodedev.isActive()", () => v.isActive()),
    m("isPersistent", "nodedev.isPersistent()", () => v.isPersistent()),
    m("autostart", "nodedev.autostart()", () => v.autostart()),
  ];
}

function secretMethods(t: Targets): ParityMethod[] {
  const s = t.secret;
  if (s === null) return [];
  const m = (name: string, py: string, ours: () => Promise<unknown>): ParityMethod => ({ name: `Secret.${name}`, py, ours });
  return [
    m("uuid", "secret.UUIDString()", async () => s.uuid),
    m("usageType", "secret.usageType()", async () => s.usageType),
    m("usageID", "secret.usageID()", async () => s.usageID),
    m("xmlDesc", "secret.XMLDesc(0)", () => s.xmlDesc()),
    m("value", "secret.value(0)", () => s.value()),
  ];
}

export async function parityMethods(t: Targets): Promise<ParityMethod[]> {
  return [...connectionMethods(t), ...domainMethods(t), ...poolMethods(t), ...(await volumeMethods(t)), ...secretMethods(t), ...networkMethods(t), ...nodeDeviceMethods(t)];
}
