// The generated method interfaces (src/gen/api/) must give exactly the
// signatures that ProgramApi computes from the procedure tables: the same
// methods, each assignable both ways. A drift fails `npm run typecheck`
// (this file is in tsconfig.test.json); the run-time part checks that the
// client really has every method the interface declares.
import { describe, expect, it } from "vitest";
import type { AdminApi, LxcApi, QemuApi, RemoteApi } from "../../src/gen/api/index.js";
import { callable, type ProgramApi } from "../../src/client/api.js";
import { Client } from "../../src/client/client.js";
import type { adminProgram } from "../../src/gen/admin_protocol.js";
import type { lxcProgram } from "../../src/gen/lxc_protocol.js";
import type { qemuProgram } from "../../src/gen/qemu_protocol.js";
import { remoteProgram } from "../../src/gen/remote_protocol.js";
import { readFileSync } from "node:fs";

type Mutual<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** True when both have the same keys and each member is assignable both ways. */
type SameApi<A, B> = Mutual<keyof A, keyof B> extends true
  ? false extends { [K in keyof A & keyof B]: Mutual<A[K], B[K]> }[keyof A & keyof B]
    ? false
    : true
  : false;

const remote: SameApi<RemoteApi, ProgramApi<typeof remoteProgram>> = true;
const qemu: SameApi<QemuApi, ProgramApi<typeof qemuProgram>> = true;
const lxc: SameApi<LxcApi, ProgramApi<typeof lxcProgram>> = true;
const admin: SameApi<AdminApi, ProgramApi<typeof adminProgram>> = true;
// The check itself must be able to fail: a missing method and a wrong reply are caught.
const missing: SameApi<Omit<RemoteApi, "domainCreate">, ProgramApi<typeof remoteProgram>> = false;
const wrongRet: SameApi<Omit<QemuApi, "domainMonitorCommand"> & { domainMonitorCommand(args: never): Promise<number> }, ProgramApi<typeof qemuProgram>> = false;

describe("generated API interfaces", () => {
  it("agree with the procedure tables (checked by tsc)", () => {
    expect([remote, qemu, lxc, admin, missing, wrongRet]).toEqual([true, true, true, true, false, false]);
  });

  it("every declared remote method exists on Client", () => {
    const declared = [...readFileSync(new URL("../../src/gen/api/remote.ts", import.meta.url), "utf8").matchAll(/^ {2}(\w+)[<(]/gm)].map((m) => m[1]!);
    expect(declared.sort()).toEqual(callable(remoteProgram).map(([m]) => m).sort());
    for (const name of declared) expect(typeof (Client.prototype as unknown as Record<string, unknown>)[name], name).toBe("function");
  });

  it("names the C function and the annotations in each doc comment", () => {
    const text = readFileSync(new URL("../../src/gen/api/remote.ts", import.meta.url), "utf8");
    expect(text).toContain("Implements `virDomainGetXMLDesc`: REMOTE_PROC_DOMAIN_GET_XML_DESC (procedure 14).");
    expect(text).toContain("Implements `virConnectDomainEventRegisterAny`: REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY");
    expect(text).toMatch(/Implements `virStorageVolDownload`[\s\S]*?@readstream 1\n\s+\* @sparseflag VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM/);
    const qemuText = readFileSync(new URL("../../src/gen/api/qemu.ts", import.meta.url), "utf8");
    expect(qemuText).toContain("Implements `virDomainQemuMonitorCommand`");
    const adminText = readFileSync(new URL("../../src/gen/api/admin.ts", import.meta.url), "utf8");
    expect(adminText).toContain("Implements `virAdmServerGetThreadPoolParameters`");
  });
});
