import { remoteProgram } from "../gen/remote_protocol.js";
import { LibvirtError } from "../rpc/errors.js";
import { PolkitError } from "./errors.js";
import type { AuthContext } from "./context.js";

/**
 * AUTH_POLKIT: the daemon asks polkit whether this process (known to it
 * from the Unix socket's peer credentials) may manage it
 * (`org.libvirt.unix.manage`, or `.monitor` read-only). Nothing to send;
 * a refusal becomes a PolkitError naming polkit's verdict.
 */
export async function authenticatePolkit(ctx: AuthContext): Promise<void> {
  try {
    await ctx.call(remoteProgram.procedures.authPolkit, undefined, ctx.signal === undefined ? {} : { signal: ctx.signal });
  } catch (e) {
    if (e instanceof LibvirtError) throw new PolkitError(e);
    throw e;
  }
}
