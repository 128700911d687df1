import { connect, type Client } from "../client/client.js";
import { VirDomainState } from "../gen/libvirt_domain.js";
import { startDaemon, type ThrowawayDaemon } from "../testing/daemon.js";
import { HELP, type OwnCommand } from "./command.js";

const STATES = new Map(Object.entries(VirDomainState).map(([k, v]) => [v, k.replace("VIR_DOMAIN_", "").toLowerCase()]));

const demo: OwnCommand = {
  names: ["demo"],
  options: [HELP],
  help: `usage: libvirt-remote demo

A tour: connects to LIBVIRT_DEFAULT_URI (else a throwaway libvirtd it
starts), looks around, and takes a test-driver domain through its life.`,
  run: () => demoTour(),
};

export const commands: readonly OwnCommand[] = [demo];

/** A tour: connect, look around, and take a test-driver domain through its life. */
async function demoTour(): Promise<void> {
  let daemon: ThrowawayDaemon | null = null;
  let uri = process.env["LIBVIRT_DEFAULT_URI"];
  if (uri === undefined || uri === "") {
    process.stdout.write("Starting a throwaway libvirtd (set LIBVIRT_DEFAULT_URI to use your own)...\n");
    daemon = await startDaemon();
    uri = daemon.uris.testTcp;
  }
  try {
    const client = await connect(uri);
    try {
      await tour(client);
    } finally {
      await client.close();
    }
  } finally {
    await daemon?.stop();
  }
}

async function tour(c: Client): Promise<void> {
  const out = (label: string, value: unknown): void => void process.stdout.write(`${label.padEnd(20)} ${String(value)}\n`);
  out("URI", c.uri.uri);
  out("hostname", (await c.connectGetHostname()).hostname);
  out("libvirt", version((await c.connectGetLibVersion()).lib_ver));
  out("hypervisor", `${(await c.connectGetType()).type} ${version((await c.connectGetVersion()).hv_ver)}`);
  const n = await c.nodeGetInfo();
  const model = String.fromCharCode(...n.model.slice(0, Math.max(0, n.model.indexOf(0))));
  out("node", `${model}, ${n.cpus} CPUs at ${n.mhz} MHz, ${n.memory} KiB`);
  const { domains } = await c.connectListAllDomains({ need_results: 1, flags: 0 });
  out("domains", domains.map((d) => d.name).join(", ") || "(none)");
  if (c.uri.driver !== "test") {
    process.stdout.write("(the lifecycle tour runs on the test driver only)\n");
    return;
  }
  const name = `demo-${process.pid}`;
  const xml = `<domain type='test'><name>${name}</name><memory unit='MiB'>64</memory><vcpu>1</vcpu><os><type>hvm</type></os></domain>`;
  const { dom } = await c.domainDefineXml({ xml });
  const state = async (step: string): Promise<void> => {
    const { state } = await c.domainGetState({ dom, flags: 0 });
    out(`  ${step}`, `${name} is ${STATES.get(state as VirDomainState) ?? state}`);
  };
  process.stdout.write("lifecycle:\n");
  await state("defined");
  await c.domainCreate({ dom });
  await state("started");
  await c.domainSuspend({ dom });
  await state("suspended");
  await c.domainResume({ dom });
  await state("resumed");
  await c.domainDestroy({ dom });
  await state("destroyed");
  await c.domainUndefine({ dom });
  out("  undefined", `${name} is gone`);
}

function version(v: bigint): string {
  const n = Number(v);
  return `${Math.floor(n / 1_000_000)}.${Math.floor(n / 1000) % 1000}.${n % 1000}`;
}
