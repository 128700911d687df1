// virsh-domain.c: define, undefine, start, shutdown, reboot, reset, destroy,
// suspend, resume, dumpxml.

import { readFile } from "node:fs/promises";
import { LibvirtError } from "../../rpc/errors.js";
import type { RemoteNonnullStorageVol } from "../../gen/remote_protocol.js";
import type { OptDef } from "../command.js";
import { CommandFailed, exclusive, requires, type VshContext, type VirshCommand } from "../vsh.js";
import { domainDisks } from "./disks.js";
import { lookupDomain, step, stringToArray } from "./util.js";
import {
  VIR_DOMAIN_DEFINE_VALIDATE,
  VIR_DOMAIN_DESTROY_GRACEFUL,
  VIR_DOMAIN_DESTROY_REMOVE_LOGS,
  VIR_DOMAIN_REBOOT_ACPI_POWER_BTN,
  VIR_DOMAIN_REBOOT_GUEST_AGENT,
  VIR_DOMAIN_REBOOT_INITCTL,
  VIR_DOMAIN_REBOOT_PARAVIRT,
  VIR_DOMAIN_REBOOT_SIGNAL,
  VIR_DOMAIN_SHUTDOWN_ACPI_POWER_BTN,
  VIR_DOMAIN_SHUTDOWN_GUEST_AGENT,
  VIR_DOMAIN_SHUTDOWN_INITCTL,
  VIR_DOMAIN_SHUTDOWN_PARAVIRT,
  VIR_DOMAIN_SHUTDOWN_SIGNAL,
  VIR_DOMAIN_SNAPSHOT_LIST_METADATA,
  VIR_DOMAIN_START_AUTODESTROY,
  VIR_DOMAIN_START_BYPASS_CACHE,
  VIR_DOMAIN_START_FORCE_BOOT,
  VIR_DOMAIN_START_PAUSED,
  VIR_DOMAIN_START_RESET_NVRAM,
  VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA,
  VIR_DOMAIN_UNDEFINE_KEEP_NVRAM,
  VIR_DOMAIN_UNDEFINE_KEEP_TPM,
  VIR_DOMAIN_UNDEFINE_MANAGED_SAVE,
  VIR_DOMAIN_UNDEFINE_NVRAM,
  VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA,
  VIR_DOMAIN_UNDEFINE_TPM,
  VIR_DOMAIN_XML_INACTIVE,
  VIR_DOMAIN_XML_MIGRATABLE,
  VIR_DOMAIN_XML_SECURE,
  VIR_DOMAIN_XML_UPDATE_CPU,
  VIR_STORAGE_VOL_DELETE_WITH_SNAPSHOTS,
} from "../../gen/friendly/constants.js";

const DOMAIN: OptDef = { name: "domain", type: "data", required: true };
const bool = (name: string): OptDef => ({ name, type: "bool" });

/** virsh's --mode words for shutdown and for reboot. */
const SHUTDOWN_MODES: Record<string, number> = {
  acpi: VIR_DOMAIN_SHUTDOWN_ACPI_POWER_BTN,
  agent: VIR_DOMAIN_SHUTDOWN_GUEST_AGENT,
  initctl: VIR_DOMAIN_SHUTDOWN_INITCTL,
  signal: VIR_DOMAIN_SHUTDOWN_SIGNAL,
  paravirt: VIR_DOMAIN_SHUTDOWN_PARAVIRT,
};
const REBOOT_MODES: Record<string, number> = {
  acpi: VIR_DOMAIN_REBOOT_ACPI_POWER_BTN,
  agent: VIR_DOMAIN_REBOOT_GUEST_AGENT,
  initctl: VIR_DOMAIN_REBOOT_INITCTL,
  signal: VIR_DOMAIN_REBOOT_SIGNAL,
  paravirt: VIR_DOMAIN_REBOOT_PARAVIRT,
};

function modeFlags(modes: Record<string, number>, mode: string | undefined, expecting: string): number {
  let flags = 0;
  for (const m of mode === undefined ? [] : mode.split(",")) {
    const f = modes[m];
    if (f === undefined) throw new CommandFailed([`Unknown mode ${m} value, expecting ${expecting}`]);
    flags |= f;
  }
  return flags;
}

const noSupport = (e: unknown): boolean => e instanceof LibvirtError && (e.code === "VIR_ERR_NO_SUPPORT" || e.code === "VIR_ERR_INVALID_ARG");

export const commands: VirshCommand[] = [
  {
    names: ["define"],
    options: [{ name: "file", type: "data", required: true }, bool("validate")],
    async run(ctx, opts) {
      const from = opts.string("file")!;
      // virFileReadAll's words for a file that cannot be read.
      const xml = await readFile(from, "utf8").catch((e: NodeJS.ErrnoException) => {
        throw new CommandFailed([`Failed to open file '${from}': ${osMessage(e)}`]);
      });
      const c = await ctx.client();
      const { dom } = await step(`Failed to define domain from ${from}`, () =>
        opts.bool("validate") ? c.domainDefineXmlFlags({ xml, flags: VIR_DOMAIN_DEFINE_VALIDATE }) : c.domainDefineXml({ xml }),
      );
      ctx.printExtra(`Domain '${dom.name}' defined from ${from}\n`);
    },
  },
  {
    names: ["undefine"],
    options: [
      DOMAIN,
      bool("managed-save"),
      { name: "storage", type: "string" },
      bool("remove-all-storage"),
      { name: "delete-snapshots", type: "alias", alias: "delete-storage-volume-snapshots" },
      bool("delete-storage-volume-snapshots"),
      bool("wipe-storage"),
      bool("snapshots-metadata"),
      bool("checkpoints-metadata"),
      bool("nvram"),
      bool("keep-nvram"),
      bool("tpm"),
      bool("keep-tpm"),
    ],
    async run(ctx, opts) {
      requires(opts, "delete-storage-volume-snapshots", "remove-all-storage");
      exclusive(opts, "nvram", "keep-nvram");
      exclusive(opts, "tpm", "keep-tpm");
      const storage = opts.string("storage");
      const removeAll = opts.bool("remove-all-storage");
      if (storage === undefined && !removeAll && opts.bool("wipe-storage")) {
        throw new CommandFailed(["'--wipe-storage' requires '--storage <string>' or '--remove-all-storage'"]);
      }
      let flags = 0;
      const named: [string, number][] = [
        ["managed-save", VIR_DOMAIN_UNDEFINE_MANAGED_SAVE],
        ["snapshots-metadata", VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA],
        ["nvram", VIR_DOMAIN_UNDEFINE_NVRAM],
        ["keep-nvram", VIR_DOMAIN_UNDEFINE_KEEP_NVRAM],
        ["checkpoints-metadata", VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA],
        ["tpm", VIR_DOMAIN_UNDEFINE_TPM],
        ["keep-tpm", VIR_DOMAIN_UNDEFINE_KEEP_TPM],
      ];
      for (const [n, f] of named) if (opts.bool(n)) flags |= f;
      const c = await ctx.client();
      const word = opts.string("domain")!;
      const dom = await lookupDomain(c, word);
      const running = (await c.domainIsActive({ dom })).active !== 0;
      let hasManagedSave = 0;
      let snapshots = 0;
      if (!running) {
        hasManagedSave = await c.domainHasManagedSaveImage({ dom, flags: 0 }).then((r) => r.result, (e: unknown) => {
          if (!noSupport(e)) throw e;
          return 0;
        });
        snapshots = await c.domainSnapshotNum({ dom, flags: VIR_DOMAIN_SNAPSHOT_LIST_METADATA }).then((r) => r.num, (e: unknown) => {
          if (!noSupport(e)) throw e;
          return 0;
        });
      }
      // Only the flags for what exists, so that an older daemon is not asked about flags it would refuse.
      if (!hasManagedSave) flags &= ~VIR_DOMAIN_UNDEFINE_MANAGED_SAVE;
      if (snapshots === 0) flags &= ~VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA;
      let vols: StorageToRemove[] = [];
      if (storage !== undefined || removeAll) {
        if (running) throw new CommandFailed(["Storage volume deletion is supported only on stopped domains"]);
        if (storage !== undefined && removeAll) throw new CommandFailed(["Specified both --storage and --remove-all-storage"]);
        const picked = await storageOf(ctx, c, dom, storage === undefined ? null : stringToArray(storage));
        if (picked === null) return false;
        vols = picked;
      }
      if (hasManagedSave && !opts.bool("managed-save")) throw new CommandFailed(["Refusing to undefine while domain managed save image exists"]);
      if (snapshots > 0 && !opts.bool("snapshots-metadata")) throw new CommandFailed([`Refusing to undefine while ${snapshots} snapshots exist`]);
      await step(`Failed to undefine domain '${word}'`, () => (flags === 0 ? c.domainUndefine({ dom }) : c.domainUndefineFlags({ dom, flags })));
      ctx.printExtra(`Domain '${word}' has been undefined\n`);
      return removeStorage(ctx, c, vols, { wipe: opts.bool("wipe-storage"), flags: opts.bool("delete-storage-volume-snapshots") ? VIR_STORAGE_VOL_DELETE_WITH_SNAPSHOTS : 0 });
    },
  },
  {
    names: ["start"],
    options: [DOMAIN, bool("paused"), bool("autodestroy"), bool("bypass-cache"), bool("force-boot"), bool("reset-nvram")],
    async run(ctx, opts) {
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!, { name: true, uuid: true });
      if (dom.id !== -1) throw new CommandFailed(["Domain is already active"]);
      let flags = 0;
      const named: [string, number][] = [
        ["paused", VIR_DOMAIN_START_PAUSED],
        ["autodestroy", VIR_DOMAIN_START_AUTODESTROY],
        ["bypass-cache", VIR_DOMAIN_START_BYPASS_CACHE],
        ["force-boot", VIR_DOMAIN_START_FORCE_BOOT],
        ["reset-nvram", VIR_DOMAIN_START_RESET_NVRAM],
      ];
      for (const [n, f] of named) if (opts.bool(n)) flags |= f;
      await step(`Failed to start domain '${dom.name}'`, async () => void (flags === 0 ? await c.domainCreate({ dom }) : await c.domainCreateWithFlags({ dom, flags })));
      ctx.printExtra(`Domain '${dom.name}' started\n`);
    },
  },
  {
    names: ["shutdown"],
    options: [DOMAIN, { name: "mode", type: "string" }],
    async run(ctx, opts) {
      const flags = modeFlags(SHUTDOWN_MODES, opts.string("mode"), "'acpi', 'agent', 'initctl', 'signal', or 'paravirt'");
      const c = await ctx.client();
      const name = opts.string("domain")!;
      const dom = await lookupDomain(c, name);
      await step(`Failed to shutdown domain '${name}'`, () => (flags === 0 ? c.domainShutdown({ dom }) : c.domainShutdownFlags({ dom, flags })));
      ctx.printExtra(`Domain '${name}' is being shutdown\n`);
    },
  },
  {
    names: ["reboot"],
    options: [DOMAIN, { name: "mode", type: "string" }],
    async run(ctx, opts) {
      const flags = modeFlags(REBOOT_MODES, opts.string("mode"), "'acpi', 'agent', 'initctl', 'signal' or 'paravirt'");
      const c = await ctx.client();
      const name = opts.string("domain")!;
      const dom = await lookupDomain(c, name);
      await step(`Failed to reboot domain '${name}'`, () => c.domainReboot({ dom, flags }));
      ctx.printExtra(`Domain '${name}' is being rebooted\n`);
    },
  },
  simple("reset", "Failed to reset domain", "was reset", (c, dom) => c.domainReset({ dom, flags: 0 })),
  {
    names: ["destroy"],
    options: [DOMAIN, bool("graceful"), bool("remove-logs")],
    async run(ctx, opts) {
      const flags = (opts.bool("graceful") ? VIR_DOMAIN_DESTROY_GRACEFUL : 0) | (opts.bool("remove-logs") ? VIR_DOMAIN_DESTROY_REMOVE_LOGS : 0);
      const c = await ctx.client();
      const name = opts.string("domain")!;
      const dom = await lookupDomain(c, name);
      await step(`Failed to destroy domain '${name}'`, () => (flags === 0 ? c.domainDestroy({ dom }) : c.domainDestroyFlags({ dom, flags })));
      ctx.printExtra(`Domain '${name}' destroyed\n`);
    },
  },
  simple("suspend", "Failed to suspend domain", "suspended", (c, dom) => c.domainSuspend({ dom })),
  simple("resume", "Failed to resume domain", "resumed", (c, dom) => c.domainResume({ dom })),
  {
    names: ["dumpxml"],
    options: [DOMAIN, bool("inactive"), bool("security-info"), bool("update-cpu"), bool("migratable")],
    async run(ctx, opts) {
      const flags =
        (opts.bool("security-info") ? VIR_DOMAIN_XML_SECURE : 0) |
        (opts.bool("inactive") ? VIR_DOMAIN_XML_INACTIVE : 0) |
        (opts.bool("update-cpu") ? VIR_DOMAIN_XML_UPDATE_CPU : 0) |
        (opts.bool("migratable") ? VIR_DOMAIN_XML_MIGRATABLE : 0);
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!);
      const { xml } = await c.domainGetXmlDesc({ dom, flags });
      // virshDumpXML without --xpath prints the document as it came.
      ctx.print(xml);
    },
  },
];

type Client = Awaited<ReturnType<Parameters<VirshCommand["run"]>[0]["client"]>>;
type Dom = Awaited<ReturnType<typeof lookupDomain>>;

/** A command that takes a domain, does one thing to it, and says so. */
function simple(name: string, failure: string, done: string, act: (c: Client, dom: Dom) => Promise<unknown>): VirshCommand {
  return {
    names: [name],
    options: [DOMAIN],
    async run(ctx, opts) {
      const c = await ctx.client();
      const word = opts.string("domain")!;
      const dom = await lookupDomain(c, word);
      await step(`${failure} '${word}'`, () => act(c, dom));
      ctx.printExtra(`Domain '${word}' ${done}\n`);
    },
  };
}

/** g_strerror's words for the usual errno codes. */
function osMessage(e: NodeJS.ErrnoException): string {
  const words: Record<string, string> = { ENOENT: "No such file or directory", EACCES: "Permission denied", EISDIR: "Is a directory" };
  return (e.code !== undefined ? words[e.code] : undefined) ?? e.message;
}

interface StorageToRemove {
  vol: RemoteNonnullStorageVol;
  target: string;
  source: string;
}

/**
 * The volumes behind a domain's disks, as virsh's undefine picks them: all
 * (`--remove-all-storage`) or those named by target or source path. A disk
 * whose volume libvirt does not manage is skipped with an error line; a
 * name that matches no disk fails the command before anything is undefined
 * (null).
 */
async function storageOf(ctx: VshContext, c: Client, dom: Dom, wanted: string[] | null): Promise<StorageToRemove[] | null> {
  const { xml } = await c.domainGetXmlDesc({ dom, flags: 0 });
  const left: (string | null)[] = wanted === null ? [] : [...wanted];
  const found: StorageToRemove[] = [];
  for (const disk of domainDisks(xml)) {
    if (disk.source === "") continue;
    if (wanted !== null) {
      const i = left.findIndex((w) => w === disk.target || w === disk.source);
      if (i < 0) continue;
      left[i] = null;
    }
    let vol: RemoteNonnullStorageVol | null = null;
    if (disk.pool !== null) {
      const pool = await c.storagePoolLookupByName({ name: disk.pool }).then((r) => r.pool, () => null);
      if (pool === null) {
        ctx.error(`Storage pool '${disk.pool}' for volume '${disk.target}' not found.`);
        continue;
      }
      vol = await c.storageVolLookupByName({ pool, name: disk.source }).then((r) => r.vol, () => null);
    } else {
      vol = await c.storageVolLookupByPath({ path: disk.source }).then((r) => r.vol, () => null);
    }
    if (vol === null) {
      ctx.error(`Storage volume '${disk.target}'(${disk.source}) is not managed by libvirt. Remove it manually.\n`);
      continue;
    }
    found.push({ vol, target: disk.target, source: disk.source });
  }
  const unmatched = left.filter((w): w is string => w !== null);
  for (const w of unmatched) ctx.error(`Volume '${w}' was not found in domain's definition.\n`);
  return unmatched.length > 0 ? null : found;
}

/** After the undefine: wipe (if asked) and delete each volume; a failure is reported and the rest go on. */
async function removeStorage(ctx: VshContext, c: Client, vols: readonly StorageToRemove[], o: { wipe: boolean; flags: number }): Promise<boolean> {
  let ok = true;
  // As virsh's vshReportError at the end: the library's error if the last call failed.
  let lastFailure: unknown = null;
  for (const { vol, target, source } of vols) {
    if (o.wipe) {
      ctx.printExtra(`Wiping volume '${target}'(${source}) ... `);
      lastFailure = await c.storageVolWipe({ vol, flags: 0 }).then(() => null, (e: unknown) => e);
      if (lastFailure !== null) {
        ctx.error("Failed! Volume not removed.");
        ok = false;
        continue;
      }
      ctx.printExtra("Done.\n");
    }
    lastFailure = await c.storageVolDelete({ vol, flags: o.flags }).then(() => null, (e: unknown) => e);
    if (lastFailure !== null) {
      ctx.error(`Failed to remove storage volume '${target}'(${source})`);
      ok = false;
    } else {
      ctx.printExtra(`Volume '${target}'(${source}) removed.\n`);
    }
  }
  if (lastFailure !== null) throw new CommandFailed([], { cause: lastFailure });
  return ok;
}
