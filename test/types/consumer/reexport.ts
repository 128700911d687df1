// A library that hands a result on without naming its type: with
// `declaration: true`, TypeScript has to name it from an entry point of the
// package (it was a TS2742 / TS2883: RemoteDomainGetInfoRet was not exported).
import type { Connection } from "libvirt-remote";

export async function info(conn: Connection, name: string) {
  return (await conn.domainLookupByName(name)).info();
}
