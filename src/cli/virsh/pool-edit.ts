// virsh-pool.c's pool-edit: the pool's inactive XML through virsh's edit
// loop (dom-editor.ts), defined again when changed.

import type { RemoteNonnullStoragePool } from "../../gen/remote_protocol.js";
import { CommandFailed, type VirshCommand } from "../vsh.js";
import { editLoop } from "./dom-editor.js";
import { hasCode, optPool } from "./pool-lookup.js";
import { VIR_STORAGE_XML_INACTIVE } from "../../gen/friendly/constants.js";

export const commands: VirshCommand[] = [
  {
    names: ["pool-edit"],
    options: [{ name: "pool", type: "data", required: true }],
    async run(ctx, opts) {
      const c = await ctx.client();
      const { pool } = await optPool(c, opts);
      let flags: number = VIR_STORAGE_XML_INACTIVE;
      // A daemon that does not know the inactive flag is asked without it.
      await c.storagePoolGetXmlDesc({ pool, flags }).catch((e: unknown) => {
        if (!hasCode(e, "VIR_ERR_INVALID_ARG")) throw new CommandFailed([], { cause: e });
        flags &= ~VIR_STORAGE_XML_INACTIVE;
      });
      let edited: RemoteNonnullStoragePool | null = null;
      const outcome = await editLoop(ctx, {
        get: async () => (await c.storagePoolGetXmlDesc({ pool, flags })).xml,
        save: async (xml) => void (edited = (await c.storagePoolDefineXml({ xml, flags: 0 })).pool),
      });
      if (outcome === "unchanged") {
        ctx.printExtra(`Pool ${pool.name} XML configuration not changed.\n`);
        return;
      }
      // After a failure virsh goes on as if the define had worked, with no pool to name.
      ctx.printExtra(`Pool ${edited === null ? "(null)" : (edited as RemoteNonnullStoragePool).name} XML configuration edited.\n`);
    },
  },
];
