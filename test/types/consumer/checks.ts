// Type-level checks for the consumer project of test/package/consumer-types.test.ts.

type IsAny<T> = 0 extends 1 & T ? true : false;

/** Returns `value`; a call with an `any` value does not compile (TS2554: the second argument is missing). */
export function notAny<T>(value: T, ..._isAny: IsAny<T> extends true ? ["the value is any"] : []): T {
  return value;
}

/** Arguments of the type `F` takes, to call a method without spelling them (never run). */
export function args<F extends (...a: never) => unknown>(): F extends (...a: infer A) => unknown ? A : never {
  throw new Error("type-level only");
}
