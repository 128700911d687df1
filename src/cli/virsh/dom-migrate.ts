// virsh-domain.c: migrate. The options read as cmdMigrate and doMigrate read
// them (the destination connected before the parameters are read), the
// migration run by src/api/migrate.ts, watched as virshWatchJob watches it.

import type { Client } from "../../client/client.js";
import { migrateManaged, migrateToUri } from "../../api/migrate.js";
import type { MigrateParams } from "../../gen/friendly/params.js";
import type { OptDef, Opts } from "../command.js";
import { connect } from "../connection.js";
import { CommandFailed, exclusive, requires, uintOpt, ullOpt, type VirshCommand } from "../vsh.js";
import { readXmlFile } from "./dom-files.js";
import { DOMAIN, bool, intOpt, nonEmpty } from "./dom-opts.js";
import { watchMigration, type TimeoutAction } from "./dom-migrate-watch.js";
import { lookupDomain } from "./util.js";
import {
  VIR_MIGRATE_ABORT_ON_ERROR,
  VIR_MIGRATE_AUTO_CONVERGE,
  VIR_MIGRATE_CHANGE_PROTECTION,
  VIR_MIGRATE_COMPRESSED,
  VIR_MIGRATE_LIVE,
  VIR_MIGRATE_NON_SHARED_DISK,
  VIR_MIGRATE_NON_SHARED_INC,
  VIR_MIGRATE_NON_SHARED_SYNCHRONOUS_WRITES,
  VIR_MIGRATE_OFFLINE,
  VIR_MIGRATE_PARALLEL,
  VIR_MIGRATE_PAUSED,
  VIR_MIGRATE_PEER2PEER,
  VIR_MIGRATE_PERSIST_DEST,
  VIR_MIGRATE_POSTCOPY,
  VIR_MIGRATE_POSTCOPY_RESUME,
  VIR_MIGRATE_RDMA_PIN_ALL,
  VIR_MIGRATE_TLS,
  VIR_MIGRATE_TUNNELLED,
  VIR_MIGRATE_UNDEFINE_SOURCE,
  VIR_MIGRATE_UNSAFE,
  VIR_MIGRATE_ZEROCOPY,
} from "../../gen/friendly/constants.js";

const str = (name: string): OptDef => ({ name, type: "string" });
const int = (name: string): OptDef => ({ name, type: "int" });

/** opts_migrate, in virsh 9.0's order. */
const OPTIONS: OptDef[] = [
  DOMAIN,
  { name: "desturi", type: "data", required: true },
  ...["live", "offline", "p2p", "direct"].map(bool),
  { name: "tunneled", type: "alias", alias: "tunnelled" },
  ...["tunnelled", "persistent", "undefinesource", "suspend", "copy-storage-all", "copy-storage-inc", "copy-storage-synchronous-writes"].map(bool),
  ...["change-protection", "unsafe", "verbose", "compressed", "auto-converge", "rdma-pin-all", "abort-on-error"].map(bool),
  ...["postcopy", "postcopy-after-precopy", "postcopy-resume", "zerocopy"].map(bool),
  ...["migrateuri", "graphicsuri", "listen-address", "dname"].map(str),
  int("timeout"),
  bool("timeout-suspend"),
  bool("timeout-postcopy"),
  str("xml"),
  str("migrate-disks"),
  int("disks-port"),
  str("disks-uri"),
  str("comp-methods"),
  ...["comp-mt-level", "comp-mt-threads", "comp-mt-dthreads", "comp-xbzrle-cache", "auto-converge-initial", "auto-converge-increment"].map(int),
  str("persistent-xml"),
  bool("tls"),
  int("postcopy-bandwidth"),
  bool("parallel"),
  int("parallel-connections"),
  int("bandwidth"),
  str("tls-destination"),
];

/** Each bool option and its flag, in doMigrate's order. */
const FLAGS: readonly (readonly [string, number])[] = [
  ["live", VIR_MIGRATE_LIVE],
  ["p2p", VIR_MIGRATE_PEER2PEER],
  ["tunnelled", VIR_MIGRATE_TUNNELLED],
  ["persistent", VIR_MIGRATE_PERSIST_DEST],
  ["undefinesource", VIR_MIGRATE_UNDEFINE_SOURCE],
  ["suspend", VIR_MIGRATE_PAUSED],
  ["copy-storage-all", VIR_MIGRATE_NON_SHARED_DISK],
  ["copy-storage-inc", VIR_MIGRATE_NON_SHARED_INC],
];
const MORE_FLAGS: readonly (readonly [string, number])[] = [
  ["change-protection", VIR_MIGRATE_CHANGE_PROTECTION],
  ["unsafe", VIR_MIGRATE_UNSAFE],
  ["compressed", VIR_MIGRATE_COMPRESSED],
  ["auto-converge", VIR_MIGRATE_AUTO_CONVERGE],
  ["rdma-pin-all", VIR_MIGRATE_RDMA_PIN_ALL],
  ["offline", VIR_MIGRATE_OFFLINE],
  ["abort-on-error", VIR_MIGRATE_ABORT_ON_ERROR],
  ["postcopy", VIR_MIGRATE_POSTCOPY],
  ["postcopy-resume", VIR_MIGRATE_POSTCOPY_RESUME],
  ["zerocopy", VIR_MIGRATE_ZEROCOPY],
  ["tls", VIR_MIGRATE_TLS],
  ["parallel", VIR_MIGRATE_PARALLEL],
];

type Params = Record<string, string | number | bigint | string[]>;

/** doMigrate's reading of the parameters and flags, each failing as virsh's does. */
async function readParams(opts: Opts): Promise<{ params: Params; flags: number }> {
  const params: Params = {};
  const text = (name: string, field: string): void => {
    const v = nonEmpty(opts, name);
    if (v !== undefined) params[field] = v;
  };
  const whole = (name: string, field: string, always = true): void => {
    const v = intOpt(opts, name);
    if (v !== undefined && (always || v !== 0)) params[field] = v;
  };
  const big = (name: string, field: string): void => {
    const v = ullOpt(opts, name);
    if (v !== undefined) params[field] = v;
  };
  const list = (name: string, field: string): void => {
    const v = nonEmpty(opts, name);
    if (v !== undefined) params[field] = v.split(",");
  };
  const file = async (name: string, field: string): Promise<void> => {
    const path = nonEmpty(opts, name);
    if (path !== undefined) params[field] = await readXmlFile(path, [`cannot read file '${path}'`]);
  };
  text("migrateuri", "migrate_uri");
  text("graphicsuri", "graphics_uri");
  text("listen-address", "listen_address");
  // virsh adds the disks' port only where it is not 0.
  whole("disks-port", "disks_port", false);
  text("disks-uri", "disks_uri");
  text("dname", "destination_name");
  list("migrate-disks", "migrate_disks");
  list("comp-methods", "compression");
  whole("comp-mt-level", "compression.mt.level");
  whole("comp-mt-threads", "compression.mt.threads");
  whole("comp-mt-dthreads", "compression.mt.dthreads");
  big("comp-xbzrle-cache", "compression.xbzrle.cache");
  await file("xml", "destination_xml");
  await file("persistent-xml", "persistent_xml");
  whole("auto-converge-initial", "auto_converge.initial");
  whole("auto-converge-increment", "auto_converge.increment");
  big("postcopy-bandwidth", "bandwidth.postcopy");
  whole("parallel-connections", "parallel.connections");
  big("bandwidth", "bandwidth");
  text("tls-destination", "tls.destination");

  let flags = 0;
  for (const [name, flag] of FLAGS) if (opts.bool(name)) flags |= flag;
  if (opts.bool("copy-storage-synchronous-writes")) {
    if (!(flags & (VIR_MIGRATE_NON_SHARED_DISK | VIR_MIGRATE_NON_SHARED_INC))) {
      throw new CommandFailed(["'--copy-storage-synchronous-writes' requires one of '--copy-storage-all', 'copy-storage-inc'"]);
    }
    flags |= VIR_MIGRATE_NON_SHARED_SYNCHRONOUS_WRITES;
  }
  for (const [name, flag] of MORE_FLAGS) if (opts.bool(name)) flags |= flag;
  return { params, flags };
}

export const commands: VirshCommand[] = [
  {
    names: ["migrate"],
    options: OPTIONS,
    async run(ctx, opts) {
      const c = await ctx.client();
      exclusive(opts, "live", "offline");
      exclusive(opts, "timeout-suspend", "timeout-postcopy");
      requires(opts, "postcopy-after-precopy", "postcopy");
      requires(opts, "postcopy-resume", "postcopy");
      requires(opts, "timeout-postcopy", "postcopy");
      requires(opts, "persistent-xml", "persistent");
      requires(opts, "tls-destination", "tls");
      const dom = await lookupDomain(c, opts.string("domain")!);
      const verbose = opts.bool("verbose");
      const timeout = uintOpt(opts, "timeout") ?? 0;
      if (timeout > 0 && !opts.bool("live")) throw new CommandFailed(["migrate: Unexpected timeout for offline migration"]);
      let action: TimeoutAction | null = opts.bool("timeout-suspend") ? "suspend" : null;
      if (opts.bool("timeout-postcopy")) action = "postcopy";
      if (timeout > 0) action ??= "suspend";
      else if (action !== null) throw new CommandFailed(["migrate: Unexpected --timeout-* option without --timeout"]);

      const cleanups: (() => Promise<unknown>)[] = [];
      try {
        if (opts.bool("postcopy-after-precopy")) {
          // After the first pass of pre-copy (iteration 2 begins), switch to post-copy; a failure is only virsh's debug output.
          const sub = await c.events.subscribe(
            "domain",
            "migration-iteration",
            (e) => {
              if ((e.data as { iteration?: number }).iteration === 2) void c.domainMigrateStartPostCopy({ dom, flags: 0 }).catch(() => undefined);
            },
            { filter: dom },
          );
          cleanups.push(() => sub.close());
        }
        const p2p = opts.bool("p2p") || opts.bool("direct");
        let dest: Client | null = null;
        if (!p2p) {
          const desturi = nonEmpty(opts, "desturi")!;
          // virshConnect: its failure is the library's error alone.
          dest = await connect(desturi, { readOnly: false }).catch((e: unknown) => {
            throw new CommandFailed([], { cause: e });
          });
          const opened = dest;
          cleanups.push(() => opened.close());
        }
        const job = (async () => {
          const desturi = nonEmpty(opts, "desturi")!;
          const { params, flags } = await readParams(opts);
          if (dest === null) await migrateToUri(c, dom, desturi, params as MigrateParams, flags);
          else await migrateManaged(c, dom, dest, params as MigrateParams, flags);
        })();
        await watchMigration(c, dom, { verbose, timeout, action: action ?? "suspend", job });
      } finally {
        for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
      }
    },
  },
];
