import { describe, expect, it } from "vitest";
import { FixtureError } from "../../src/recording/errors.js";
import { FIXTURE_FORMAT, describeFrame, readFixture } from "../../src/recording/format.js";

// A header-only CALL: remote program, CONNECT_GET_HOSTNAME (59), serial 7.
const CALL = ["0000001c", "20008086", "00000001", "0000003b", "00000000", "00000007", "00000000"].join("");
const header = JSON.stringify({ format: FIXTURE_FORMAT });
const line = (hex: string): string => JSON.stringify({ ...describeFrame("send", 0, Buffer.from(CALL, "hex")), hex });

/** The error readFixture throws for a file whose line 2 is the given one. */
function refused(second: string): FixtureError {
  try {
    readFixture(`${header}\n${second}\n`, "s.jsonl");
  } catch (e) {
    if (e instanceof FixtureError) return e;
    throw e;
  }
  throw new Error("the fixture was accepted");
}

describe("reading a fixture (issue 13, defect 13)", () => {
  it("reads a well-formed frame", () => {
    expect(CALL).toHaveLength(56);
    expect(readFixture(`${header}\n${line(CALL)}\n`).frames[0]!.procedure).toBe("REMOTE_PROC_CONNECT_GET_HOSTNAME");
  });

  it("refuses hex that is not hex, naming the line", () => {
    expect(refused(line(`${CALL}zz`)).message).toBe("s.jsonl:2: hex is not an even number of hex digits");
    expect(refused(line(`${CALL}0`)).message).toBe("s.jsonl:2: hex is not an even number of hex digits");
    expect(refused(line(CALL.replace("1c", "1g"))).message).toBe("s.jsonl:2: hex is not an even number of hex digits");
  });

  it("refuses a length word that does not match the frame, naming the line", () => {
    expect(refused(line(`${CALL}00000000`)).message).toBe("s.jsonl:2: the length word says 28 bytes but the frame has 32");
    expect(refused(line(CALL.replace(/^0000001c/, "0000001d"))).message).toBe("s.jsonl:2: the length word says 29 bytes but the frame has 28");
    expect(refused(line("000000")).message).toBe("s.jsonl:2: a frame of 3 bytes is shorter than a length word and header (28)");
  });

  it("refuses lines that are not JSON objects of a frame, naming the line", () => {
    expect(refused("{nope").message).toMatch(/^s\.jsonl:2: not JSON: /);
    expect(refused("[]").message).toBe("s.jsonl:2: expected a frame object with dir send or recv and a hex string");
    expect(refused(JSON.stringify({ dir: "up", hex: CALL })).message).toBe("s.jsonl:2: expected a frame object with dir send or recv and a hex string");
    expect(() => readFixture("{", "x.jsonl")).toThrow(new FixtureError("x.jsonl:1: not JSON: " + jsonError("{")));
    expect(() => readFixture("", "x.jsonl")).toThrow(new FixtureError("x.jsonl: not a libvirt-remote-session/1 file"));
  });
});

function jsonError(text: string): string {
  try {
    JSON.parse(text);
  } catch (e) {
    return (e as Error).message;
  }
  return "";
}
