import type { Readable } from "node:stream";
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
    type Plain = Awaited<ReturnType<typeof download<{}>>>;
    type Records = Awaited<ReturnType<typeof download<{ holes: "records" }>>>;
    expectTypeOf<Plain>().toEqualTypeOf<ReceiveStream<Buffer>>();
    expectTypeOf<Records>().toEqualTypeOf<ReceiveStream<Buffer | Hole>>();
    expectTypeOf<Parameters<Client["storageVolUpload"]>[1]>().toMatchTypeOf<AsyncIterable<Uint8Array | Hole> | Iterable<Uint8Array | Hole>>();
    expectTypeOf<ReturnType<Client["storageVolUpload"]>>().toEqualTypeOf<Promise<void>>();
    expectTypeOf<ReturnType<Client["connectGetHostname"]>>().toEqualTypeOf<Promise<{ hostname: string }>>();
  });
});
