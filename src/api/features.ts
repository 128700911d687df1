/**
 * VIR_TYPED_PARAM_STRING_OKAY for the getters libvirt's C API adds it to
 * (virDomainGetBlockIoTune, virDomainGetNumaParameters, ...): set when the
 * daemon supports VIR_DRV_FEATURE_TYPED_PARAM_STRING. Without it the daemon
 * leaves out every string field (`group_name`, `numa_nodeset`, `device_*`).
 *
 * libvirt's client asks CONNECT_SUPPORTS_FEATURE before each such call; the
 * answer cannot change while a connection stands, so it is asked once per
 * connection here, and again after a reconnect (the daemon may be another).
 */
import type { Client } from "../client/client.js";
import { VirDrvFeature } from "../gen/libvirt_internal.js";
import { VirTypedParameterFlags } from "../gen/libvirt_common.js";
import { LibvirtError } from "../rpc/errors.js";
import type { CallOptions } from "../rpc/session.js";

/** Keyed by the session (its `stats` object is its own), so a reconnect asks again. */
const probes = new WeakMap<object, Promise<boolean>>();

/** Whether the daemon behind `client` sends string typed parameters (asked once per connection). */
export function supportsTypedParamString(client: Client, options?: CallOptions): Promise<boolean> {
  const session: object = client.stats;
  let probe = probes.get(session);
  if (probe === undefined) {
    const asked = ask(client, options);
    probe = asked;
    probes.set(session, asked);
    // A call that failed (aborted, connection lost) is asked again next time.
    asked.catch(() => {
      if (probes.get(session) === asked) probes.delete(session);
    });
  }
  return probe;
}

async function ask(client: Client, options?: CallOptions): Promise<boolean> {
  try {
    const r = await client.connectSupportsFeature({ feature: VirDrvFeature.VIR_DRV_FEATURE_TYPED_PARAM_STRING }, options);
    return r.supported === 1;
  } catch (e) {
    // As VIR_DRV_SUPPORTS_FEATURE: a daemon that answers with an error does not support it.
    if (e instanceof LibvirtError) return false;
    throw e;
  }
}

/**
 * The flag to OR into a getter's `flags`, as libvirt's C API does:
 * VIR_TYPED_PARAM_STRING_OKAY (4) when the daemon supports string
 * parameters, else 0. For the exact layer:
 * `client.domainGetBlockIoTune({ ..., flags: flags | await typedParamStringFlag(client) })`.
 */
export async function typedParamStringFlag(client: Client, options?: CallOptions): Promise<number> {
  return (await supportsTypedParamString(client, options)) ? VirTypedParameterFlags.VIR_TYPED_PARAM_STRING_OKAY : 0;
}
