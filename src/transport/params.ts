import { UriError } from "../errors.js";
import { uriParam, type ConnectionUri } from "../uri.js";

/**
 * A 0/1 URI parameter (`no_verify`, `no_sanity`, `no_tty`) as libvirt's
 * remote driver reads it: a base-10 integer, true when not 0; anything else
 * fails the connection.
 */
export function uriFlag(uri: ConnectionUri, name: string): boolean {
  const value = uriParam(uri, name);
  if (value === undefined) return false;
  if (!/^\s*[-+]?\d+$/.test(value)) throw new UriError(`Failed to parse value of URI component ${name}: '${value}'`);
  return Number(value) !== 0;
}
