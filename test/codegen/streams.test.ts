/** The stream table's model: kinds from the annotations, sparse flags valued from header enums. */
import { describe, expect, it } from "vitest";
import type { CEnum } from "../../codegen/cenums.js";
import { emitStreams } from "../../codegen/emit-streams.js";
import { XGenError } from "../../codegen/errors.js";
import { compile } from "../../codegen/generate.js";
import { streamProcedures } from "../../codegen/streams.js";

const X = `
struct s_download_args { int flags; };
struct s_capture_ret { int mime; };
const S_PROGRAM = 0x12345678;
const S_PROTOCOL_VERSION = 1;
enum s_procedure {
    /** @generate: none */
    S_PROC_PLAIN = 1,
    /**
     * @generate: none
     * @writestream: 1
     * @sparseflag: S_UPLOAD_SPARSE
     */
    S_PROC_UPLOAD = 2,
    /**
     * @generate: none
     * @readstream: 1
     * @sparseflag: S_DOWNLOAD_SPARSE
     */
    S_PROC_DOWNLOAD = 3,
    /**
     * @generate: none
     * @readstream: 1
     */
    S_PROC_CAPTURE = 4,
    /**
     * @generate: none
     * @readstream: 1
     */
    S_PROC_DEVICE = 5
};
`;

const model = compile([{ path: "s_protocol.x", text: X }], {});
const enums: CEnum[] = [{ name: "sFlags", members: [{ name: "S_UPLOAD_SPARSE", value: 4 }, { name: "S_DOWNLOAD_SPARSE", value: 8 }] }];

describe("codegen: stream procedures", () => {
  it("every stream procedure with its kind and its sparse flag's value; plain calls left out", () => {
    const found = streamProcedures(model, enums).map((s) => [s.proc.name, s.kind, s.sparseFlag]);
    expect(found).toEqual([
      ["S_PROC_UPLOAD", "upload", { name: "S_UPLOAD_SPARSE", value: 4 }],
      ["S_PROC_DOWNLOAD", "download", { name: "S_DOWNLOAD_SPARSE", value: 8 }],
      ["S_PROC_CAPTURE", "capture", null],
      ["S_PROC_DEVICE", "device", null],
    ]);
  });

  it("a @sparseflag that no header enum has is an error at the procedure", () => {
    let err: unknown;
    try {
      streamProcedures(model, enums.map((e) => ({ ...e, members: e.members.slice(0, 1) })));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(XGenError);
    expect((err as Error).message).toMatch(/^s_protocol\.x:\d+:\d+: S_PROC_DOWNLOAD: @sparseflag S_DOWNLOAD_SPARSE is no member/);
  });

  it("the emitted table names each procedure's program, kind and flag", () => {
    const text = emitStreams(streamProcedures(model, enums), "test input");
    expect(text).toContain(`S_PROC_DOWNLOAD: { program: "s", kind: "download", sparseFlag: { name: "S_DOWNLOAD_SPARSE", value: 8 } },`);
    expect(text).toContain(`S_PROC_DEVICE: { program: "s", kind: "device" },`);
    expect(text).not.toContain("S_PROC_PLAIN");
  });
});
