import { RemoteAuthType, remoteProgram } from "../gen/remote_protocol.js";
import { LibvirtError } from "../rpc/errors.js";
import * as trace from "../rpc/trace.js";
import { uriParam } from "../uri.js";
import type { AuthContext } from "./context.js";
import { AuthError } from "./errors.js";

export type { AuthContext } from "./context.js";

/** How the connection was authenticated. */
export interface AuthOutcome {
  scheme: "none" | "sasl" | "polkit";
  /** The SASL mechanism, when SASL was used. */
  mechanism: string | null;
  /** The strength of the SASL security layer (0: none). */
  ssf: number;
  /** The security layer carrying every later byte, or null. */
  layer: string | null;
}

/**
 * Authenticates as libvirt's remote driver does (remoteAuthenticate):
 * AUTH_LIST, then the first scheme the daemon lists, or the one forced by
 * the URI's `auth=` (`sasl`, `sasl.MECH`, `polkit`) or `auth.scheme`.
 */
export async function authenticate(ctx: AuthContext): Promise<AuthOutcome> {
  const none: AuthOutcome = { scheme: "none", mechanism: null, ssf: 0, layer: null };
  let types: number[];
  try {
    ({ types } = (await ctx.call(remoteProgram.procedures.authList, undefined, ctx.signal === undefined ? {} : { signal: ctx.signal })) as { types: number[] });
  } catch (e) {
    // A daemon too old to have AUTH_LIST needs no authentication.
    if (e instanceof LibvirtError && e.code === "VIR_ERR_NO_SUPPORT") return none;
    throw e;
  }
  trace.auth(`AUTH_LIST: the daemon offers ${types.length === 0 ? "nothing" : types.map(schemeName).join(", ")}`);
  if (types.length === 0) return none;
  // libvirt's EXTRACT_URI_ARG_STR: the name in any case, the last occurrence wins.
  const forced = uriParam(ctx.uri, "auth") ?? ctx.auth?.scheme ?? null;
  let type = types[0]!;
  let mech: string | null = null;
  if (forced !== null) {
    const f = forced.toLowerCase();
    const want = f === "sasl" || f.startsWith("sasl.") ? RemoteAuthType.REMOTE_AUTH_SASL : f === "polkit" ? RemoteAuthType.REMOTE_AUTH_POLKIT : null;
    if (want === null) throw new AuthError("ERR_AUTH_UNSUPPORTED", `unknown authentication type ${forced}`);
    if (!types.includes(want)) throw new AuthError("ERR_AUTH_UNSUPPORTED", `requested authentication type ${forced} rejected: the daemon offers ${types.map(schemeName).join(", ")}`);
    type = want;
    if (f.startsWith("sasl.")) mech = forced.slice(5);
  }
  trace.auth(`scheme ${schemeName(type)}${forced === null ? "" : ` (forced: ${forced})`}`);
  switch (type) {
    case RemoteAuthType.REMOTE_AUTH_NONE:
      return none;
    case RemoteAuthType.REMOTE_AUTH_SASL: {
      // Loaded when a daemon asks for it: most connections never authenticate.
      const { authenticateSasl } = await import("./sasl/client.js");
      const r = await authenticateSasl(ctx, mech);
      return { scheme: "sasl", ...r };
    }
    case RemoteAuthType.REMOTE_AUTH_POLKIT: {
      const { authenticatePolkit } = await import("./polkit.js");
      await authenticatePolkit(ctx);
      return { scheme: "polkit", mechanism: null, ssf: 0, layer: null };
    }
    default:
      throw new AuthError("ERR_AUTH_UNSUPPORTED", `unsupported authentication type ${schemeName(type)}`);
  }
}

function schemeName(t: number): string {
  return Object.entries(RemoteAuthType).find(([, v]) => v === t)?.[0] ?? String(t);
}
