// Must NOT compile: each line marked `// error TSnnnn` is an error every
// TypeScript of the matrix has to report, which shows the checks check.
import { notAny } from "./checks.js";

export const untyped = notAny(JSON.parse("1")); // error TS2554
