// Must NOT compile: the marked line is a wrong `expectTypeOf` assertion that tsc has to
// reject, which shows that the tsc run of test/streams/api.test.ts checks such assertions
// (vitest's expectTypeOf does nothing at run time). Excluded from tsconfig.test.json.
import { expectTypeOf } from "vitest";

expectTypeOf<string | null>().toEqualTypeOf<string>(); // error TS2344
