import { ConnectError, ConnectionClosedError, ProtocolError } from "../rpc/errors.js";
import type { RpcSession } from "../rpc/session.js";

/**
 * A handshake's failure as a ConnectError (`ERR_NOT_LIBVIRT`) when the peer
 * never sent anything of libvirt's protocol: its first bytes made no frame
 * (an HTTP server's "HTTP/1.1 400", an SSH banner) or a frame no daemon
 * sends. libvirt reports only the symptom ("packet 1213486156 bytes
 * received from server too large"); this names the likely cause and shows
 * what the peer sent. Null when the failure is anything else.
 */
export function notLibvirt(session: RpcSession, description: string, e: unknown): ConnectError | null {
  if (session.heard || !(e instanceof ConnectionClosedError)) return null;
  const opening = session.opening;
  let symptom: string;
  if (e.reason === "error" && e.cause instanceof ProtocolError) symptom = e.cause.message;
  else if (e.reason === "eof" && opening.length > 0) symptom = "it closed the connection before a whole frame";
  else return null;
  return new ConnectError("ERR_NOT_LIBVIRT", description, `unable to connect to ${description}: this does not look like a libvirt daemon (it sent ${printable(opening)}): ${symptom}`, {
    cause: e.cause ?? e,
  });
}

/** Bytes as a quoted string: ASCII as it is, the rest escaped, "…" when there may be more. */
function printable(bytes: Uint8Array): string {
  let text = "";
  for (const b of bytes) {
    if (b === 0x0d) text += "\\r";
    else if (b === 0x0a) text += "\\n";
    else if (b === 0x22 || b === 0x5c) text += `\\${String.fromCharCode(b)}`;
    else if (b >= 0x20 && b < 0x7f) text += String.fromCharCode(b);
    else text += `\\x${b.toString(16).padStart(2, "0")}`;
  }
  return `"${text}"${bytes.length >= 32 ? "…" : ""}`;
}
