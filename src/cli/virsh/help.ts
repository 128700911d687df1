// virsh's `help` (tools/vsh.c, cmdHelp): every group, one group, or one
// command's page, printed from virsh's own command list (help-model.ts), so
// that a command this CLI does not run yet is documented as virsh documents it.

import type { VirshCommand } from "../vsh.js";
import { CommandFailed } from "../vsh.js";
import { virshCommandInfo, virshGroup } from "./help-model.js";
import { commandPage, fullListing, groupListing } from "./help-pages.js";

export { commandPage, fullListing, groupListing, virshPage } from "./help-pages.js";

/** What `help [NAME]` prints, or the error virsh gives for a name it does not know. */
export function helpFor(name: string | undefined): string {
  if (name === undefined || name === "") return fullListing();
  const command = virshCommandInfo(name);
  if (command !== undefined) return commandPage(command);
  const group = virshGroup(name);
  if (group !== undefined) return groupListing(group);
  throw new CommandFailed([`command or command group '${name}' doesn't exist`]);
}

export const commands: VirshCommand[] = [
  {
    names: ["help"],
    // virsh's parser lets help ignore stray data (`help list domstate`): a catch-all takes it here.
    options: [
      { name: "command", type: "string" },
      { name: "ignored", type: "argv" },
    ],
    async run(ctx, opts) {
      ctx.print(helpFor(opts.string("command")));
    },
  },
];
