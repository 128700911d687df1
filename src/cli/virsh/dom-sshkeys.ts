// virsh-domain.c: a guest user's authorized SSH keys, through the guest
// agent: get-user-sshkeys, set-user-sshkeys.

import { VIR_DOMAIN_AUTHORIZED_SSH_KEYS_SET_APPEND, VIR_DOMAIN_AUTHORIZED_SSH_KEYS_SET_REMOVE } from "../../gen/friendly/constants.js";
import { CommandFailed, exclusive, requires, type VirshCommand } from "../vsh.js";
import { DOMAIN, bool } from "./dom-opts.js";
import { lookupDomain, readXmlFile, stringReq } from "./util.js";

const USER = { name: "user", type: "data", required: true } as const;

export const commands: VirshCommand[] = [
  {
    names: ["get-user-sshkeys"],
    options: [DOMAIN, USER],
    async run(ctx, opts) {
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!);
      const user = stringReq(opts, "user")!;
      const { keys } = await c.domainAuthorizedSshKeysGet({ dom, user, flags: 0 });
      // Each key as the agent gave it: virsh adds no newline.
      ctx.print(keys.join(""));
    },
  },
  {
    names: ["set-user-sshkeys"],
    options: [DOMAIN, USER, { name: "file", type: "string" }, bool("reset"), bool("remove")],
    async run(ctx, opts) {
      requires(opts, "remove", "file");
      exclusive(opts, "reset", "remove");
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!);
      const user = stringReq(opts, "user")!;
      const from = stringReq(opts, "file");
      let flags = 0;
      if (opts.bool("remove")) flags = VIR_DOMAIN_AUTHORIZED_SSH_KEYS_SET_REMOVE;
      else if (!opts.bool("reset")) {
        flags = VIR_DOMAIN_AUTHORIZED_SSH_KEYS_SET_APPEND;
        if (from === undefined) throw new CommandFailed(["Option --file is required"]);
      }
      let keys: string[] = [];
      if (from !== undefined) {
        const text = await readXmlFile(from);
        // g_strsplit: an empty text is no lines at all; a final newline leaves an empty last line.
        keys = text === "" ? [] : text.split("\n");
        if (keys.length === 0) throw new CommandFailed([`File ${from} contains no keys`]);
      }
      await c.domainAuthorizedSshKeysSet({ dom, user, keys, flags });
    },
  },
];
