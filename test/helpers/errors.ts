import { XdrError } from "../../src/xdr/index.js";

/** Runs f and returns the XdrError it throws; anything else fails the test. */
export function xdrErrorOf(f: () => unknown): XdrError {
  try {
    f();
  } catch (e) {
    if (e instanceof XdrError) return e;
    throw e;
  }
  throw new Error("expected an XdrError");
}
