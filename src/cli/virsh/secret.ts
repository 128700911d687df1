// virsh-secret.c: secret-define, secret-dumpxml, secret-undefine,
// secret-list.

import { LibvirtError } from "../../rpc/errors.js";
import type { Client } from "../../client/client.js";
import type { RemoteNonnullSecret } from "../../gen/remote_protocol.js";
import { formatTable } from "../format/admin.js";
import { CommandFailed, type VirshCommand } from "../vsh.js";
import { XPATH_OPTIONS, dumpXml } from "./pool-xpath.js";
import { lookupSecret } from "./net-lookup.js";
import { caseCompare, readXmlFile, step, stringReq } from "./util.js";
import { uuidToString } from "../../uuid.js";
import {
  VIR_CONNECT_LIST_SECRETS_EPHEMERAL,
  VIR_CONNECT_LIST_SECRETS_NO_EPHEMERAL,
  VIR_CONNECT_LIST_SECRETS_NO_PRIVATE,
  VIR_CONNECT_LIST_SECRETS_PRIVATE,
  VIR_SECRET_DEFINE_VALIDATE,
  VIR_SECRET_USAGE_TYPE_CEPH,
  VIR_SECRET_USAGE_TYPE_ISCSI,
  VIR_SECRET_USAGE_TYPE_TLS,
  VIR_SECRET_USAGE_TYPE_VOLUME,
  VIR_SECRET_USAGE_TYPE_VTPM,
} from "../../gen/friendly/constants.js";

const SECRET = { name: "secret", type: "data", required: true } as const;

/** virSecretUsageType's names, as secret-list shows them. */
const USAGE: Readonly<Record<number, string>> = {
  [VIR_SECRET_USAGE_TYPE_VOLUME]: "volume",
  [VIR_SECRET_USAGE_TYPE_CEPH]: "ceph",
  [VIR_SECRET_USAGE_TYPE_ISCSI]: "iscsi",
  [VIR_SECRET_USAGE_TYPE_TLS]: "tls",
  [VIR_SECRET_USAGE_TYPE_VTPM]: "vtpm",
};

const noSupport = (e: unknown): boolean => e instanceof LibvirtError && e.code === "VIR_ERR_NO_SUPPORT";

/**
 * virshSecretListCollect: the listing with filters, else (a daemon without
 * it) the UUIDs one by one, where filtering cannot be asked for.
 */
async function collectSecrets(c: Client, flags: number): Promise<RemoteNonnullSecret[]> {
  let secrets: RemoteNonnullSecret[];
  try {
    secrets = (await c.connectListAllSecrets({ need_results: 1, flags })).secrets;
  } catch (e) {
    if (!noSupport(e)) throw new CommandFailed(["Failed to list node secrets"], { cause: e });
    if (flags !== 0) throw new CommandFailed(["Filtering is not supported by this libvirt"]);
    const { num } = await step("Failed to count secrets", () => c.connectNumOfSecrets());
    if (num === 0) return [];
    const { uuids } = await step("Failed to list secrets", () => c.connectListSecrets({ maxuuids: num }));
    secrets = [];
    for (const word of uuids) {
      const found = await lookupSecret(c, word).catch(() => null);
      if (found !== null) secrets.push(found);
    }
  }
  return secrets.sort((a, b) => caseCompare(uuidToString(a.uuid), uuidToString(b.uuid)));
}

export const commands: VirshCommand[] = [
  {
    names: ["secret-define"],
    options: [{ name: "file", type: "data", required: true }, { name: "validate", type: "bool" }],
    async run(ctx, opts) {
      const from = stringReq(opts, "file")!;
      const xml = await readXmlFile(from);
      const c = await ctx.client();
      const { secret } = await step(`Failed to set attributes from ${from}`, () => c.secretDefineXml({ xml, flags: opts.bool("validate") ? VIR_SECRET_DEFINE_VALIDATE : 0 }));
      ctx.printExtra(`Secret ${uuidToString(secret.uuid)} created\n`);
    },
  },
  {
    names: ["secret-dumpxml"],
    options: [SECRET, ...XPATH_OPTIONS],
    async run(ctx, opts) {
      const c = await ctx.client();
      const secret = await lookupSecret(c, stringReq(opts, "secret")!);
      return dumpXml(ctx, opts, async () => (await c.secretGetXmlDesc({ secret, flags: 0 })).xml);
    },
  },
  {
    names: ["secret-undefine"],
    options: [SECRET],
    async run(ctx, opts) {
      const c = await ctx.client();
      const word = stringReq(opts, "secret")!;
      const secret = await lookupSecret(c, word);
      await step(`Failed to delete secret ${word}`, () => c.secretUndefine({ secret }));
      ctx.printExtra(`Secret ${word} deleted\n`);
    },
  },
  {
    names: ["secret-list"],
    options: ["ephemeral", "no-ephemeral", "private", "no-private"].map((name) => ({ name, type: "bool" as const })),
    async run(ctx, opts) {
      const filters: [string, number][] = [
        ["ephemeral", VIR_CONNECT_LIST_SECRETS_EPHEMERAL],
        ["no-ephemeral", VIR_CONNECT_LIST_SECRETS_NO_EPHEMERAL],
        ["private", VIR_CONNECT_LIST_SECRETS_PRIVATE],
        ["no-private", VIR_CONNECT_LIST_SECRETS_NO_PRIVATE],
      ];
      let flags = 0;
      for (const [n, f] of filters) if (opts.bool(n)) flags |= f;
      const c = await ctx.client();
      const secrets = await collectSecrets(c, flags);
      const rows = secrets.map((s) => {
        const usage = USAGE[s.usageType];
        return [uuidToString(s.uuid), s.usageType !== 0 ? `${usage ?? "(null)"} ${s.usageID}` : "Unused"];
      });
      ctx.print(formatTable(["UUID", "Usage"], rows, !ctx.globals.quiet));
    },
  },
];
