/**
 * The XDR runtime the generated codecs use: reader, writer, codecs, errors.
 *
 * @module libvirt-remote/xdr
 */
export { XdrError, type XdrErrorCode, within, badEnum, badUnion, badValue } from "./errors.js";
export { XdrReader, XDR_UNBOUNDED } from "./reader.js";
export { XdrWriter, arrayCount, fixedLength } from "./writer.js";
export { openEnums, otherEnum } from "./enums.js";
export { codec, encode, decode, type Codec, type CodecValue, type ProcedureInfo, type ProgramInfo } from "./codec.js";
export type { SchemaRegistry, TypeSchema, WireSchema, Field as SchemaField } from "./schema.js";
export { toJson, fromJson } from "./json.js";
