import { decodeVirNetMessageError } from "../gen/virnetprotocol.js";
import type { ProcedureInfo, ProgramInfo, XdrReader } from "../xdr/index.js";
import { LibvirtError, ProtocolError, UnsupportedError } from "./errors.js";
import { MessageStatus, MessageType, decodeBody, type Header } from "./message.js";
import type * as trace from "./trace.js";

/** A call sent and waiting for its reply. */
export interface PendingCall {
  program: ProgramInfo;
  procedure: ProcedureInfo;
  onReply: ((value: unknown) => void) | undefined;
  /** Set only while someone traces calls (NODE_DEBUG, diagnostics_channel). */
  span: trace.CallSpan | undefined;
  resolve(value: unknown): void;
  reject(err: Error): void;
  cleanup(): void;
}

/**
 * Settles a call with its reply, whose status is OK or ERROR: the decoded
 * value, or the daemon's error as a LibvirtError. A body that does not
 * decode fails only this call: the connection is still in step.
 */
export function settleCall(call: PendingCall, h: Header, body: XdrReader): void {
  if (h.type === MessageType.VIR_NET_REPLY_WITH_FDS) {
    call.reject(new UnsupportedError(`${call.procedure.name} returns file descriptors, which this client cannot receive`));
    return;
  }
  if (h.status === MessageStatus.VIR_NET_ERROR) {
    try {
      const remote = decodeVirNetMessageError(body);
      body.done();
      call.reject(new LibvirtError(remote, call.procedure.name));
    } catch (e) {
      call.reject(new ProtocolError(`undecodable error reply to ${call.procedure.name}: ${(e as Error).message}`, { cause: e }));
    }
    return;
  }
  let value: unknown;
  try {
    value = decodeBody(call.procedure.ret, body);
  } catch (e) {
    call.reject(new ProtocolError(`undecodable reply to ${call.procedure.name}: ${(e as Error).message}`, { cause: e }));
    return;
  }
  try {
    call.onReply?.(value);
  } catch (e) {
    call.reject(e instanceof Error ? e : new Error(String(e)));
    return;
  }
  call.resolve(value);
}
