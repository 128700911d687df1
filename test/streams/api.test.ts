import { execFile } from "node:child_process";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { promisify } from "node:util";
import { describe, expect, expectTypeOf, it } from "vitest";
import type { Client } from "../../src/client/client.js";
import { remoteProgram } from "../../src/gen/remote_protocol.js";
import type { DeviceStream } from "../../src/streams/device.js";
import type { Hole } from "../../src/streams/hole.js";
import { streamKind } from "../../src/streams/procedures.js";
import type { ReceiveStream } from "../../src/streams/readable.js";

describe("stream procedures in the typed API", () => {
  it("every stream procedure of the remote program gets a kind from its annotations alone", () => {
    const kinds = Object.fromEntries(
      Object.entries(remoteProgram.procedures)
        .filter(([, p]) => streamKind(p) !== null)
        .map(([m, p]) => [m, streamKind(p)]),
    );
    expect(kinds).toEqual({
      domainMigratePrepareTunnel: "upload",
      domainOpenConsole: "device",
      storageVolUpload: "upload",
      storageVolDownload: "download",
      domainScreenshot: "capture",
      domainMigratePrepareTunnel3: "upload",
      domainOpenChannel: "device",
    });
  });

  it("their methods are typed with Node streams, none as an ordinary call", () => {
    type Console = Awaited<ReturnType<Client["domainOpenConsole"]>>;
    expectTypeOf<Console>().toEqualTypeOf<DeviceStream>();
    expectTypeOf<Awaited<ReturnType<Client["domainOpenChannel"]>>>().toEqualTypeOf<DeviceStream>();
    type Shot = Awaited<ReturnType<Client["domainScreenshot"]>>;
    expectTypeOf<Shot["mime"]>().toEqualTypeOf<string | null>();
    expectTypeOf<Shot["stream"]>().toEqualTypeOf<ReceiveStream<Buffer>>();
    expectTypeOf<Shot["stream"]>().toMatchTypeOf<Readable>();
    const download = null as unknown as Client["storageVolDownload"];
    type Plain = Awaited<ReturnType<typeof download<Record<never, never>>>>;
    type Records = Awaited<ReturnType<typeof download<{ holes: "records" }>>>;
    expectTypeOf<Plain>().toEqualTypeOf<ReceiveStream<Buffer>>();
    expectTypeOf<Records>().toEqualTypeOf<ReceiveStream<Buffer | Hole>>();
    expectTypeOf<Parameters<Client["storageVolUpload"]>[1]>().toMatchTypeOf<AsyncIterable<Uint8Array | Hole> | Iterable<Uint8Array | Hole>>();
    expectTypeOf<ReturnType<Client["storageVolUpload"]>>().toEqualTypeOf<Promise<void>>();
    expectTypeOf<ReturnType<Client["connectGetHostname"]>>().toEqualTypeOf<Promise<{ hostname: string }>>();
  });

  // expectTypeOf does nothing at run time: the assertions above hold only if tsc checks this
  // file, so `npm test` runs tsc on it, beside a canary whose one wrong assertion must fail.
  it("tsc checks the type assertions of this file (and rejects a wrong one)", async () => {
    const root = join(import.meta.dirname, "../..");
    const canary = "test/types/expect-type-canary.ts";
    const flags = ["--ignoreConfig", "--noEmit", "--strict", "--exactOptionalPropertyTypes", "--noUncheckedIndexedAccess", "--module", "nodenext", "--target", "es2022", "--lib", "es2023", "--types", "node", "--skipLibCheck"];
    const out = await promisify(execFile)(join(root, "node_modules/.bin/tsc"), [...flags, "test/streams/api.test.ts", canary], { cwd: root, encoding: "utf8" }).then(
      () => "",
      (e: { stdout: string }) => e.stdout,
    );
    const errors = out.split("\n").filter((l) => / error TS\d+/.test(l));
    expect(errors.map((l) => l.replace(/: error (TS\d+):.*/, " $1"))).toEqual([`${canary}(6,45) TS2344`]);
  });
});
