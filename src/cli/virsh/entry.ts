// A registry entry for one of virsh's commands.

import type { CommandEntry, CommandModule } from "../command.js";
import type { VshContext } from "../vsh.js";

/** Every virsh command connects (or may): all take the global options after them too. */
export function virsh(name: string, summary: string, module: CommandModule<VshContext>): CommandEntry<VshContext> {
  return { names: [name], family: "virsh", summary, connects: true, module };
}
