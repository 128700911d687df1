/**
 * The generated stream table (src/gen/streams.ts) against the run-time rule
 * (streams/kind.ts) and libvirt's header constants, and isSparse reading
 * the flag values from it.
 */
import { describe, expect, it } from "vitest";
import { adminProgram } from "../../src/gen/admin_protocol.js";
import { VirStorageVolDownloadFlags, VirStorageVolUploadFlags } from "../../src/gen/libvirt_storage.js";
import { lxcProgram } from "../../src/gen/lxc_protocol.js";
import { qemuProgram } from "../../src/gen/qemu_protocol.js";
import { remoteProgram } from "../../src/gen/remote_protocol.js";
import { streamProcedures } from "../../src/gen/streams.js";
import { isSparse, streamKind } from "../../src/streams/procedures.js";
import type { ProcedureInfo } from "../../src/xdr/index.js";

const programs = [remoteProgram, qemuProgram, lxcProgram, adminProgram];
const procedures: ProcedureInfo[] = programs.flatMap((p) => Object.values(p.procedures));

describe("the generated stream table", () => {
  it("has exactly the procedures the run-time rule calls streams, with the same kind", () => {
    for (const p of procedures) expect([p.name, streamProcedures[p.name]?.kind ?? null]).toEqual([p.name, streamKind(p)]);
    const names = new Set(procedures.map((p) => p.name));
    expect(Object.keys(streamProcedures).filter((n) => !names.has(n))).toEqual([]);
    expect(Object.keys(streamProcedures)).toHaveLength(7);
  });

  it("values each @sparseflag as libvirt's header does", () => {
    expect(streamProcedures["REMOTE_PROC_STORAGE_VOL_DOWNLOAD"]?.sparseFlag).toEqual({
      name: "VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM",
      value: VirStorageVolDownloadFlags.VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM,
    });
    expect(streamProcedures["REMOTE_PROC_STORAGE_VOL_UPLOAD"]?.sparseFlag).toEqual({
      name: "VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM",
      value: VirStorageVolUploadFlags.VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM,
    });
  });

  it("isSparse tests the call's flags against the table's value", () => {
    const P = remoteProgram.procedures;
    expect(isSparse(P.storageVolDownload, { flags: 1 })).toBe(true);
    expect(isSparse(P.storageVolDownload, { flags: 2 })).toBe(false);
    expect(isSparse(P.storageVolUpload, { flags: 1 })).toBe(true);
    expect(isSparse(P.domainOpenConsole, { flags: 1 })).toBe(false);
    const unknown = { ...P.storageVolDownload, annotations: { ...P.storageVolDownload.annotations, sparseflag: "NO_SUCH_FLAG" } };
    expect(() => isSparse(unknown, { flags: 1 })).toThrow("unknown sparse flag NO_SUCH_FLAG");
  });
});
