/**
 * The friendly Domain's CPU-map methods, hand-written because the protocol
 * asks the caller for sizes and answers in bytes. As libvirt-python does
 * (libvirt-override.c), the map length comes from the host's CPU count
 * (virNodeGetCPUMap), and maps come back as `boolean[]`, one entry per host
 * CPU. The generated Domain class extends this one and leaves these
 * procedures to it.
 */
import { VirDomainVcpuFlags } from "../gen/libvirt_domain.js";
import type { RemoteNonnullDomain, RemoteVcpuInfo } from "../gen/remote_protocol.js";
import type { CallOptions } from "../rpc/session.js";
import { Handle, flagsAnd, track, type ConnectionCore } from "./core.js";
import { cpuMapFromSelection, cpuMapLength, cpuMapToBooleans, cpuMapsToBooleans, type CpuSelection } from "./cpumap.js";

/** `vcpus()`: each running vCPU's state and the host CPUs it may run on. */
export interface VcpusInfo {
  info: RemoteVcpuInfo[];
  cpumaps: boolean[][];
}

/** `iothreadInfo()`: one IOThread and the host CPUs it may run on. */
export interface IothreadInfo {
  iothread_id: number;
  cpumap: boolean[];
}

export abstract class DomainCpus extends Handle<RemoteNonnullDomain> {
  constructor(conn: ConnectionCore, ref: RemoteNonnullDomain) {
    super(conn, ref);
  }

  /** How many CPUs the host has: the length of every map (virNodeGetCPUMap without a map). */
  protected async hostCpus(options?: CallOptions): Promise<number> {
    return (await track(this.conn.raw.nodeGetCpuMap({ need_map: 0, need_online: 0, flags: 0 }, options))).ret;
  }

  /**
   * C: {@link https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetVcpus | virDomainGetVcpus}; libvirt-python: `virDomain.vcpus`.
   * REMOTE_PROC_DOMAIN_GET_VCPUS: the running vCPUs (as many as
   * virDomainGetInfo's nrVirtCpu, as libvirt-python asks for), each with
   * its state, CPU time, host CPU, and its affinity map.
   */
  async vcpus(options?: CallOptions): Promise<VcpusInfo> {
    const cpus = await this.hostCpus(options);
    const { nrVirtCpu } = await track(this.conn.raw.domainGetInfo({ dom: this.current }, options));
    const maplen = cpuMapLength(cpus);
    const r = await track(this.conn.raw.domainGetVcpus({ dom: this.current, maxinfo: nrVirtCpu, maplen }, options));
    return { info: r.info, cpumaps: cpuMapsToBooleans(r.cpumaps, r.info.length, cpus, maplen) };
  }

  /**
   * C: {@link https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetVcpuPinInfo | virDomainGetVcpuPinInfo}; libvirt-python: `virDomain.vcpuPinInfo`.
   * REMOTE_PROC_DOMAIN_GET_VCPU_PIN_INFO: each vCPU's affinity map, for
   * every vCPU up to the maximum count of the state `flags` selects, as
   * `virsh vcpupin` lists them (libvirt-python stops at the current count).
   */
  async vcpuPinInfo(flags?: number | CallOptions, options?: CallOptions): Promise<boolean[][]> {
    const [f, o] = flagsAnd(flags, options);
    const cpus = await this.hostCpus(o);
    const { num: ncpumaps } = await track(this.conn.raw.domainGetVcpusFlags({ dom: this.current, flags: f | VirDomainVcpuFlags.VIR_DOMAIN_VCPU_MAXIMUM }, o));
    const maplen = cpuMapLength(cpus);
    const r = await track(this.conn.raw.domainGetVcpuPinInfo({ dom: this.current, ncpumaps, maplen, flags: f }, o));
    return cpuMapsToBooleans(r.cpumaps, r.num, cpus, maplen);
  }

  /**
   * C: {@link https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetEmulatorPinInfo | virDomainGetEmulatorPinInfo}; libvirt-python: `virDomain.emulatorPinInfo`.
   * REMOTE_PROC_DOMAIN_GET_EMULATOR_PIN_INFO: the emulator threads' affinity map.
   */
  async emulatorPinInfo(flags?: number | CallOptions, options?: CallOptions): Promise<boolean[]> {
    const [f, o] = flagsAnd(flags, options);
    const cpus = await this.hostCpus(o);
    const r = await track(this.conn.raw.domainGetEmulatorPinInfo({ dom: this.current, maplen: cpuMapLength(cpus), flags: f }, o));
    return cpuMapToBooleans(r.cpumaps, cpus);
  }

  /**
   * C: {@link https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainGetIOThreadInfo | virDomainGetIOThreadInfo}; libvirt-python: `virDomain.ioThreadInfo`.
   * REMOTE_PROC_DOMAIN_GET_IOTHREAD_INFO: each IOThread's ID and affinity map, in the daemon's order.
   */
  async iothreadInfo(flags?: number | CallOptions, options?: CallOptions): Promise<IothreadInfo[]> {
    const [f, o] = flagsAnd(flags, options);
    const cpus = await this.hostCpus(o);
    const r = await track(this.conn.raw.domainGetIothreadInfo({ dom: this.current, flags: f }, o));
    return r.info.map((t) => ({ iothread_id: t.iothread_id, cpumap: cpuMapToBooleans(t.cpumap, cpus, t.cpumap.length) }));
  }

  /**
   * C: {@link https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainPinVcpuFlags | virDomainPinVcpuFlags}; libvirt-python: `virDomain.pinVcpuFlags`.
   * REMOTE_PROC_DOMAIN_PIN_VCPU_FLAGS: `cpus` a map (`[true, false]`) or CPU numbers (`[0, 3]`).
   */
  async pinVcpu(vcpu: number, cpus: CpuSelection, flags?: number | CallOptions, options?: CallOptions): Promise<void> {
    const [f, o] = flagsAnd(flags, options);
    const cpumap = cpuMapFromSelection(cpus, await this.hostCpus(o));
    await track(this.conn.raw.domainPinVcpuFlags({ dom: this.current, vcpu, cpumap, flags: f }, o));
  }

  /**
   * C: {@link https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainPinEmulator | virDomainPinEmulator}; libvirt-python: `virDomain.pinEmulator`.
   * REMOTE_PROC_DOMAIN_PIN_EMULATOR: `cpus` a map or CPU numbers.
   */
  async pinEmulator(cpus: CpuSelection, flags?: number | CallOptions, options?: CallOptions): Promise<void> {
    const [f, o] = flagsAnd(flags, options);
    const cpumap = cpuMapFromSelection(cpus, await this.hostCpus(o));
    await track(this.conn.raw.domainPinEmulator({ dom: this.current, cpumap, flags: f }, o));
  }

  /**
   * C: {@link https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainPinIOThread | virDomainPinIOThread}; libvirt-python: `virDomain.pinIOThread`.
   * REMOTE_PROC_DOMAIN_PIN_IOTHREAD: `cpus` a map or CPU numbers.
   */
  async pinIothread(iothreads_id: number, cpus: CpuSelection, flags?: number | CallOptions, options?: CallOptions): Promise<void> {
    const [f, o] = flagsAnd(flags, options);
    const cpumap = cpuMapFromSelection(cpus, await this.hostCpus(o));
    await track(this.conn.raw.domainPinIothread({ dom: this.current, iothreads_id, cpumap, flags: f }, o));
  }
}
