export { XdrError, type XdrErrorCode, within, badEnum, badUnion, badValue } from "./errors.js";
export { XdrReader, XDR_UNBOUNDED } from "./reader.js";
export { XdrWriter, arrayCount, fixedLength } from "./writer.js";
export { codec, encode, decode, type Codec, type CodecValue, type ProcedureInfo, type ProgramInfo } from "./codec.js";
