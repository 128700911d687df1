// Finding the volume an option names, as virsh's virshCommandOptVolBy does:
// by name in the pool an option names (which must be running), then by
// key, then by path; a volume found outside that pool is refused.

import type { Client } from "../../client/client.js";
import type { RemoteNonnullStorageVol } from "../../gen/remote_protocol.js";
import type { Opts } from "../command.js";
import { CommandFailed } from "../vsh.js";
import { BY_UUID_OR_NAME, optPool, type PoolWays } from "./pool-lookup.js";
import { stringReq } from "./util.js";

/** The volume and the word that named it. */
export interface NamedVol {
  vol: RemoteNonnullStorageVol;
  word: string;
}

/**
 * virshCommandOptVolBy. `poolOption` null: no pool option (vol-name,
 * vol-pool). `ways.name` allows the by-name lookup in the pool,
 * `ways.uuid` the key and path lookups, as virsh's flags do.
 */
export async function optVol(c: Client, opts: Opts, option = "vol", poolOption: string | null = "pool", ways: PoolWays = BY_UUID_OR_NAME): Promise<NamedVol> {
  const word = stringReq(opts, option)!;
  const poolWord = poolOption === null ? undefined : stringReq(opts, poolOption);
  let pool = null;
  if (poolWord !== undefined) {
    pool = (await optPool(c, opts, poolOption!, ways)).pool;
    const active = await c.storagePoolIsActive({ pool }).then(
      (r) => ({ active: r.active, error: undefined }),
      (e: unknown) => ({ active: -1, error: e }),
    );
    if (active.active !== 1) throw new CommandFailed([`pool '${poolWord}' is not active`], active.error === undefined ? undefined : { cause: active.error });
  }
  let last: unknown;
  const tries: (() => Promise<{ vol: RemoteNonnullStorageVol }>)[] = [];
  if (pool !== null && ways.name) tries.push(() => c.storageVolLookupByName({ pool: pool!, name: word }));
  if (ways.uuid) tries.push(() => c.storageVolLookupByKey({ key: word }), () => c.storageVolLookupByPath({ path: word }));
  for (const find of tries) {
    try {
      const { vol } = await find();
      if (pool !== null) {
        // The key or path may name a volume of another pool.
        const owner = await c.storagePoolLookupByVolume({ vol }).then((r) => r.pool, () => null);
        if (owner !== null && owner.name !== pool.name) throw new CommandFailed([`Requested volume '${word}' is not in pool '${pool.name}'`]);
      }
      return { vol, word };
    } catch (e) {
      if (e instanceof CommandFailed) throw e;
      last = e;
    }
  }
  const line = pool !== null || poolOption === null ? `failed to get vol '${word}'` : `failed to get vol '${word}', specifying --${poolOption} might help`;
  throw new CommandFailed([line], last === undefined ? undefined : { cause: last });
}
