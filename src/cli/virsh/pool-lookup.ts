// Finding the pool an option names, as virsh's virshCommandOptPoolBy does:
// by UUID when the word is as long as one, then by name; the library's
// error of the last lookup is reported after virsh's own line.

import type { Client } from "../../client/client.js";
import type { RemoteNonnullStoragePool } from "../../gen/remote_protocol.js";
import { LibvirtError } from "../../rpc/errors.js";
import type { Opts } from "../command.js";
import { CommandFailed } from "../vsh.js";
import { parseUuid, stringReq } from "./util.js";

/** Which ways a pool word may be read (VIRSH_BYUUID, VIRSH_BYNAME). */
export interface PoolWays {
  uuid: boolean;
  name: boolean;
}

export const BY_UUID_OR_NAME: PoolWays = { uuid: true, name: true };

/** The pool and the word that named it. */
export interface NamedPool {
  pool: RemoteNonnullStoragePool;
  word: string;
}

/**
 * virStoragePoolLookupByUUIDString: the string is parsed on the client, and
 * a malformed one fails there with libvirt's invalid-argument words.
 */
async function byUuidString(c: Client, word: string): Promise<RemoteNonnullStoragePool> {
  const uuid = parseUuid(word);
  if (uuid === null) throw new Error("uuidstr in virStoragePoolLookupByUUIDString must be a valid UUID");
  return (await c.storagePoolLookupByUuid({ uuid })).pool;
}

/** The pool a word names; throws virsh's "failed to get pool" with the last lookup's error. */
export async function findPool(c: Client, word: string, ways: PoolWays = BY_UUID_OR_NAME): Promise<RemoteNonnullStoragePool> {
  let last: unknown;
  if (ways.uuid && word.length === 36) {
    try {
      return await byUuidString(c, word);
    } catch (e) {
      last = e;
    }
  }
  if (ways.name) {
    try {
      return (await c.storagePoolLookupByName({ name: word })).pool;
    } catch (e) {
      last = e;
    }
  }
  throw new CommandFailed([`failed to get pool '${word}'`], last === undefined ? undefined : { cause: last });
}

/** virshCommandOptPoolBy: the option's word (refused when empty), then the pool. */
export async function optPool(c: Client, opts: Opts, option = "pool", ways: PoolWays = BY_UUID_OR_NAME): Promise<NamedPool> {
  const word = stringReq(opts, option)!;
  return { pool: await findPool(c, word, ways), word };
}

/** A libvirt error with one of these codes (virsh's `last_error->code == ...` tests). */
export function hasCode(e: unknown, ...codes: string[]): boolean {
  return e instanceof LibvirtError && codes.includes(e.code);
}
