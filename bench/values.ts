// The three messages the codec bench measures, as plain values in the
// generated code's conventions. Every implementation (ours, js-xdr, C) is fed
// from these, so all three encode exactly the same data.

import type {
  RemoteConnectListAllDomainsRet,
  RemoteDomainEventGraphicsMsg,
  RemoteDomainGetSchedulerParametersFlagsRet,
  RemoteNonnullDomain,
} from "../src/gen/remote_protocol.js";

/** Small deterministic PRNG (mulberry32) so every run encodes the same bytes. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** A random RFC 4122 version-4 UUID, as libvirt would carry it (16 raw bytes). */
function uuidV4(next: () => number): Uint8Array {
  const u = new Uint8Array(16);
  for (let i = 0; i < 16; i += 4) {
    const x = next();
    u[i] = x >>> 24;
    u[i + 1] = (x >>> 16) & 0xff;
    u[i + 2] = (x >>> 8) & 0xff;
    u[i + 3] = x & 0xff;
  }
  u[6] = (u[6]! & 0x0f) | 0x40;
  u[8] = (u[8]! & 0x3f) | 0x80;
  return u;
}

export function graphicsMsg(): RemoteDomainEventGraphicsMsg {
  const next = prng(0x9e3779b9);
  return {
    dom: { name: "tiny", uuid: uuidV4(next), id: 7 },
    phase: 1, // VIR_DOMAIN_EVENT_GRAPHICS_INITIALIZE
    local: { family: 0, node: "192.168.122.1", service: "5900" }, // family 0: IPv4
    remote: { family: 0, node: "192.168.122.45", service: "50924" },
    authScheme: "none",
    subject: [
      { type: "x509dname", name: "CN=client.example.org,O=Example Org,L=Berlin,C=DE" },
      { type: "saslUsername", name: "fred@EXAMPLE.ORG" },
    ],
  };
}

export function listAllDomainsRet(count = 1000): RemoteConnectListAllDomainsRet {
  const next = prng(0x1234567);
  const domains: RemoteNonnullDomain[] = [];
  for (let i = 1; i <= count; i++) {
    // Every fourth domain is shut off: libvirt reports id -1 for those.
    domains.push({ name: `dom-${String(i).padStart(4, "0")}`, uuid: uuidV4(next), id: i % 4 === 0 ? -1 : i });
  }
  return { domains, ret: count };
}

/**
 * 16 typed parameters (REMOTE_DOMAIN_SCHEDULER_PARAMETERS_MAX) covering all
 * seven value types, in the reply of remote_domain_get_scheduler_parameters_flags.
 * Real scheduler replies are mostly ullong/llong; the other types are here so
 * every union arm is exercised.
 */
export function schedulerParamsRet(): RemoteDomainGetSchedulerParametersFlagsRet {
  return {
    params: [
      { field: "cpu_shares", value: { type: 4, ul: 1024n } },
      { field: "vcpu_period", value: { type: 4, ul: 100000n } },
      { field: "vcpu_quota", value: { type: 3, l: -1n } },
      { field: "emulator_period", value: { type: 4, ul: 100000n } },
      { field: "emulator_quota", value: { type: 3, l: 17592186044415n } },
      { field: "global_period", value: { type: 4, ul: 18446744073709551615n } },
      { field: "global_quota", value: { type: 3, l: -9223372036854775807n } },
      { field: "iothread_period", value: { type: 4, ul: 100000n } },
      { field: "iothread_quota", value: { type: 3, l: -1n } },
      { field: "weight", value: { type: 2, ui: 256 } },
      { field: "cap", value: { type: 2, ui: 4294967295 } },
      { field: "limit", value: { type: 1, i: -2147483648 } },
      { field: "reservation", value: { type: 1, i: 512 } },
      { field: "shares_ratio", value: { type: 5, d: 0.3333333333333333 } },
      { field: "exclusive", value: { type: 6, b: 1 } },
      { field: "policy", value: { type: 7, s: "fifo/élan" } }, // non-ASCII on purpose
    ],
  };
}
