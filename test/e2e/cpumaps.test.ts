import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { open, type Connection } from "../../src/api/connection.js";
import type { Domain } from "../../src/gen/friendly/domain.js";
import { python, sharedDaemon, uniqueName, virsh } from "./daemon.js";

const shared = sharedDaemon();

/** A map as libvirt prints it (virBitmapFormat): `0,2-3`. */
function cpuList(map: readonly boolean[]): string {
  const parts: string[] = [];
  for (let i = 0; i < map.length; i++) {
    if (!map[i]) continue;
    let j = i;
    while (map[j + 1]) j++;
    parts.push(j === i ? String(i) : `${i}-${j}`);
    i = j;
  }
  return parts.join(",");
}

/** The rows of a virsh table under its dashed rule, split on runs of spaces. */
function rows(table: string): string[][] {
  const lines = table.split("\n");
  const rule = lines.findIndex((l) => /^-{5,}$/.test(l.trim()));
  return lines
    .slice(rule + 1)
    .map((l) => l.trim())
    .filter((l) => l !== "")
    .map((l) => l.split(/\s+/));
}

describe.skipIf(shared === null)("CPU maps as booleans, on a real QEMU guest (TCG), beside virsh and libvirt-python", () => {
  const uri = shared?.uris.qemuTcp ?? "";
  const name = uniqueName("cpumaps");
  let conn: Connection;
  let dom: Domain;
  let hostCpus = 0;

  beforeAll(async () => {
    conn = await open(uri);
    hostCpus = (await conn.nodeInfo()).cpus;
    // More vCPUs than this 2-CPU machine has: TCG runs them all the same.
    const xml =
      `<domain type='qemu'><name>${name}</name><memory unit='MiB'>32</memory><vcpu>3</vcpu><iothreads>2</iothreads>` +
      "<os><type arch='x86_64' machine='pc'>hvm</type></os><devices><emulator>/usr/bin/qemu-system-x86_64</emulator></devices></domain>";
    dom = await conn.domainCreateXml(xml);
  });

  afterAll(async () => {
    await dom?.destroy().catch(() => undefined);
    await conn?.close();
  });

  it("pins from CPU numbers and from maps; vcpuPinInfo() with no arguments equals virsh vcpupin's table", async () => {
    const last = hostCpus - 1;
    await dom.pinVcpu(0, [last]);
    await dom.pinVcpu(1, [true]);
    const pins = await dom.vcpuPinInfo();
    expect(pins).toHaveLength(3);
    expect(pins.every((m) => m.length === hostCpus)).toBe(true);
    expect(cpuList(pins[0]!)).toBe(String(last));
    expect(cpuList(pins[1]!)).toBe("0");
    const table = rows(await virsh(uri, "vcpupin", name));
    expect(pins.map((m, i) => [String(i), cpuList(m)])).toEqual(table);
    const py = JSON.parse(await python("import json,libvirt,sys; c=libvirt.open(sys.argv[1]); print(json.dumps(c.lookupByName(sys.argv[2]).vcpuPinInfo(0)))", uri, name));
    expect(pins).toEqual(py);
  });

  it("emulatorPinInfo(), iothreadInfo() and vcpus() as virsh emulatorpin, iothreadinfo and vcpuinfo show them", async () => {
    await dom.pinEmulator([0]);
    await dom.pinIothread(2, [true]);
    const emulator = await dom.emulatorPinInfo();
    expect(emulator).toHaveLength(hostCpus);
    expect(cpuList(emulator)).toBe("0");
    expect(rows(await virsh(uri, "emulatorpin", name))).toEqual([["*:", cpuList(emulator)]]);

    const threads = await dom.iothreadInfo();
    expect(threads.find((t) => t.iothread_id === 2)?.cpumap).toEqual([true, ...Array<boolean>(hostCpus - 1).fill(false)]);
    const byId = (a: string[], b: string[]): number => Number(a[0]) - Number(b[0]);
    expect(threads.map((t) => [String(t.iothread_id), cpuList(t.cpumap)]).sort(byId)).toEqual(rows(await virsh(uri, "iothreadinfo", name)).sort(byId));

    const { info, cpumaps } = await dom.vcpus();
    expect(info.map((v) => v.number)).toEqual([0, 1, 2]);
    const affinity = [...(await virsh(uri, "vcpuinfo", name)).matchAll(/^CPU Affinity:\s+(\S+)$/gm)].map((m) => m[1]);
    expect(cpumaps.map((m) => m.map((b) => (b ? "y" : "-")).join(""))).toEqual(affinity);
  });

  it("refuses a CPU the host does not have before anything is sent", async () => {
    await expect(dom.pinVcpu(0, [hostCpus])).rejects.toMatchObject({ code: "ERR_OPTION" });
    await expect(dom.pinVcpu(0, [true, 1] as unknown as number[])).rejects.toMatchObject({ code: "ERR_OPTION" });
  });
});
