// What users reported under TypeScript 5.9 (issue 26): each line here must
// compile under every TypeScript the README names, with `declaration: true`.
import { EventGap, isHole, type Connection, type RemoteDomainGetInfoRet, type StorageVol } from "libvirt-remote";
import { notAny } from "./checks.js";

/** A download's stream, typed (it was `any`). */
export async function download(vol: StorageVol) {
  const d = await vol.download(0n, 0n);
  return notAny(d);
}

/** With `holes: "records"`, the chunks are Buffers and Holes. */
export async function sparse(vol: StorageVol): Promise<number> {
  let n = 0;
  for await (const c of await vol.download(0n, 0n, { holes: "records" })) n += isHole(c) ? c.length : c.byteLength;
  return n;
}

/** Gap markers in line with the events, asked for with `{ gaps: true }` (a TS2322 before). */
export async function gaps(conn: Connection): Promise<number> {
  let n = 0;
  const sub = await conn.events.subscribe("domain", "lifecycle", (item) => {
    const e = notAny(item);
    n += e instanceof EventGap ? 0 : e.data.event;
  }, { gaps: true });
  await sub.close();
  for await (const item of conn.events.stream("domain", "lifecycle", { gaps: true })) {
    const e = notAny(item);
    if (e instanceof EventGap) break;
    n += e.data.event;
  }
  return n;
}

/** The reply types are exported from the root, as the README says ("all types"). */
export const state = (i: RemoteDomainGetInfoRet): number => i.state;
