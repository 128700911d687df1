// How virsh finds a network, a network port, a network filter, a binding
// and a secret from the word typed (virshCommandOptNetworkBy and its
// siblings): the failing line is virsh's, the library's error (the last
// lookup's) follows it.

import type { Client } from "../../client/client.js";
import type {
  RemoteNonnullNetwork,
  RemoteNonnullNetworkPort,
  RemoteNonnullNwfilter,
  RemoteNonnullNwfilterBinding,
  RemoteNonnullSecret,
} from "../../gen/remote_protocol.js";
import type { Opts } from "../command.js";
import { CommandFailed } from "../vsh.js";
import { parseUuid, stringReq } from "./util.js";

/** What the UUID-string lookups (virNetworkLookupByUUIDString, ...) raise on the client side for a malformed UUID. */
export class BadUuidString extends Error {
  constructor(fn: string) {
    super(`uuidstr in ${fn} must be a valid UUID`);
  }
}

/** A lookup by a UUID string as libvirt's client does it: parsed here, then asked. */
async function byUuidString<T>(word: string, fn: string, ask: (uuid: Uint8Array) => Promise<T>): Promise<T> {
  const uuid = parseUuid(word);
  if (uuid === null) throw new BadUuidString(fn);
  return ask(uuid);
}

export interface NetworkWays {
  uuid: boolean;
  name: boolean;
}

/** virshCommandOptNetworkBy: by UUID when the word is as long as one, then by name. */
export async function lookupNetwork(c: Client, word: string, ways: NetworkWays = { uuid: true, name: true }): Promise<RemoteNonnullNetwork> {
  let last: unknown;
  if (ways.uuid && word.length === 36) {
    try {
      return await byUuidString(word, "virNetworkLookupByUUIDString", async (uuid) => (await c.networkLookupByUuid({ uuid })).net);
    } catch (e) {
      last = e;
    }
  }
  if (ways.name) {
    try {
      return (await c.networkLookupByName({ name: word })).net;
    } catch (e) {
      last = e;
    }
  }
  throw new CommandFailed([`failed to get network '${word}'`], last === undefined ? undefined : { cause: last });
}

/** The network the `--network` option names, and the word as typed (virshCommandOptNetwork). */
export async function networkOpt(c: Client, opts: Opts, ways?: NetworkWays): Promise<{ net: RemoteNonnullNetwork; name: string }> {
  const name = stringReq(opts, "network")!;
  return { net: await lookupNetwork(c, name, ways), name };
}

/** virshCommandOptNetworkPort: a port is found by its UUID only. */
export async function lookupNetworkPort(c: Client, network: RemoteNonnullNetwork, word: string): Promise<RemoteNonnullNetworkPort> {
  try {
    return await byUuidString(word, "virNetworkPortLookupByUUIDString", async (uuid) => (await c.networkPortLookupByUuid({ network, uuid })).port);
  } catch (e) {
    throw new CommandFailed([`failed to get network port '${word}'`], { cause: e });
  }
}

/** virshCommandOptNWFilterBy: by UUID when the word is as long as one, then by name. */
export async function lookupNwfilter(c: Client, word: string): Promise<RemoteNonnullNwfilter> {
  let last: unknown;
  if (word.length === 36) {
    try {
      return await byUuidString(word, "virNWFilterLookupByUUIDString", async (uuid) => (await c.nwfilterLookupByUuid({ uuid })).nwfilter);
    } catch (e) {
      last = e;
    }
  }
  try {
    return (await c.nwfilterLookupByName({ name: word })).nwfilter;
  } catch (e) {
    last = e;
  }
  throw new CommandFailed([`failed to get nwfilter '${word}'`], { cause: last });
}

/** virshCommandOptNWFilterBindingBy: by the port device's name. */
export async function lookupNwfilterBinding(c: Client, word: string): Promise<RemoteNonnullNwfilterBinding> {
  try {
    return (await c.nwfilterBindingLookupByPortDev({ name: word })).nwfilter;
  } catch (e) {
    throw new CommandFailed([`failed to get nwfilter binding '${word}'`], { cause: e });
  }
}

/** virshCommandOptSecret: by UUID only. */
export async function lookupSecret(c: Client, word: string): Promise<RemoteNonnullSecret> {
  try {
    return await byUuidString(word, "virSecretLookupByUUIDString", async (uuid) => (await c.secretLookupByUuid({ uuid })).secret);
  } catch (e) {
    throw new CommandFailed([`failed to get secret '${word}'`], { cause: e });
  }
}
