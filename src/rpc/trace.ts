// What a connection does, for whoever wants to see it: `NODE_DEBUG=libvirt-remote`
// lines on stderr (node:util's debuglog), and node:diagnostics_channel
// channels that tracing tools subscribe to, as undici publishes its own.
//
// Nothing is paid when nobody listens: debuglog's `enabled` is read once
// (NODE_DEBUG is fixed at start), and each channel's `hasSubscribers` is one
// property read; the session's hooks return at once when both are off.
// Never a payload: call arguments and replies can hold secrets (passwords in
// AUTH_SASL_STEP, secretSetValue), so only names, numbers and sizes go out.
import diagnostics from "node:diagnostics_channel";
import { debuglog } from "node:util";
import type { ProcedureInfo, ProgramInfo } from "../xdr/index.js";
import type { ConnectionUri } from "../uri.js";
import type { CloseReason } from "./errors.js";

/** Published on `libvirt-remote:call:start` when a call is sent. */
export interface CallStartMessage {
  /** The connection (session) it is made on: the `id` of `libvirt-remote:connection:*` messages. */
  connection: number;
  program: string;
  /** libvirt's name, `REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME`. */
  procedure: string;
  serial: number;
  /** Size of the call's frame. */
  bytesOut: number;
}

/** Published on `libvirt-remote:call:end` (a reply) and `libvirt-remote:call:error` (any failure, the daemon's included). */
export interface CallEndMessage extends CallStartMessage {
  /** Milliseconds from sending to settling. */
  duration: number;
  /** Size of the reply's frame; 0 when none came (timeout, abort, closed connection). */
  bytesIn: number;
  /** Set on `call:error`. */
  error?: Error;
}

/** Published on `libvirt-remote:connection:open` once the handshake is done (also after each reconnect). */
export interface ConnectionOpenMessage {
  id: number;
  uri: string;
  /** Authentication scheme and SASL mechanism, or `none`. */
  auth: string;
  keepalive: { interval: number; count: number } | null;
}

/** Published on `libvirt-remote:connection:close`, once per connection. */
export interface ConnectionCloseMessage {
  id: number;
  reason: CloseReason;
  message: string;
}

/** The channels, by name; subscribe with `diagnostics_channel.subscribe(name, fn)`. */
export const channels = {
  callStart: diagnostics.channel("libvirt-remote:call:start"),
  callEnd: diagnostics.channel("libvirt-remote:call:end"),
  callError: diagnostics.channel("libvirt-remote:call:error"),
  connectionOpen: diagnostics.channel("libvirt-remote:connection:open"),
  connectionClose: diagnostics.channel("libvirt-remote:connection:close"),
};

const log = debuglog("libvirt-remote");
/** Read once: debuglog decides from NODE_DEBUG at start, and the check must cost nothing per call. */
const logging = log.enabled;

let ids = 0;

/** A connection's number in traces. */
export function nextId(): number {
  return ++ids;
}

/** One call being traced: what `settled` needs, filled in by the session as the reply comes. */
export interface CallSpan extends CallStartMessage {
  start: number;
  bytesIn: number;
}

/** A call was sent; undefined (and nothing done) when nobody listens. */
export function callStarted(connection: number, program: ProgramInfo, procedure: ProcedureInfo, serial: number, bytesOut: number): CallSpan | undefined {
  if (!logging && !channels.callStart.hasSubscribers && !channels.callEnd.hasSubscribers && !channels.callError.hasSubscribers) return undefined;
  const span: CallSpan = { connection, program: program.name, procedure: procedure.name, serial, bytesOut, start: performance.now(), bytesIn: 0 };
  if (channels.callStart.hasSubscribers) channels.callStart.publish(startMessage(span));
  return span;
}

/**
 * The call's promise, publishing its end when it settles. A chained promise
 * rather than a handler on the original: a failed call that nobody awaits
 * still raises `unhandledRejection`, traced or not.
 */
export function follow(span: CallSpan, reply: Promise<unknown>): Promise<unknown> {
  return reply.then(
    (value) => {
      settled(span, undefined);
      return value;
    },
    (e: unknown) => {
      settled(span, e instanceof Error ? e : new Error(String(e)));
      throw e;
    },
  );
}

function startMessage(s: CallSpan): CallStartMessage {
  return { connection: s.connection, program: s.program, procedure: s.procedure, serial: s.serial, bytesOut: s.bytesOut };
}

function settled(span: CallSpan, error: Error | undefined): void {
  const duration = performance.now() - span.start;
  if (logging) {
    const status = error === undefined ? "ok" : `failed: ${error.name}${"code" in error ? ` ${String(error.code)}` : ""}: ${error.message}`;
    log(
      "#%d call %s serial=%d out=%dB in=%dB %sms %s",
      span.connection,
      span.procedure,
      span.serial,
      span.bytesOut,
      span.bytesIn,
      duration.toFixed(2),
      status,
    );
  }
  const channel = error === undefined ? channels.callEnd : channels.callError;
  if (channel.hasSubscribers) {
    const msg: CallEndMessage = { ...startMessage(span), duration, bytesIn: span.bytesIn };
    if (error !== undefined) msg.error = error;
    channel.publish(msg);
  }
}

/** A URI as traces show it: without its user and query (a query may name key files). */
export function describeUri(uri: ConnectionUri): string {
  return `${uri.driver}+${uri.transport}://${uri.host ?? ""}${uri.port === null ? "" : `:${uri.port}`}${uri.path}`;
}

/** Before dialling. */
export function connecting(uri: ConnectionUri): void {
  if (logging) log("connecting to %s", describeUri(uri));
}

/** What the trace shows of how a connection authenticated: auth's AuthOutcome, which sits a layer above, fits it. */
export interface TracedAuth {
  scheme: string;
  mechanism: string | null;
  layer: string | null;
}

/** The handshake is done: authenticated, CONNECT_OPEN answered, keepalive set. */
export function opened(id: number, uri: ConnectionUri, outcome: TracedAuth | null, keepalive: { interval: number; count: number } | null): void {
  if (!logging && !channels.connectionOpen.hasSubscribers) return;
  const auth = outcome === null ? "none" : outcome.mechanism === null ? outcome.scheme : `${outcome.scheme} ${outcome.mechanism}${outcome.layer === null ? "" : ` (${outcome.layer} layer)`}`;
  const msg: ConnectionOpenMessage = { id, uri: describeUri(uri), auth, keepalive };
  if (logging) log("#%d open %s auth=%s keepalive=%s", id, msg.uri, auth, keepalive === null ? "off" : `${keepalive.interval}s x${keepalive.count}`);
  if (channels.connectionOpen.hasSubscribers) channels.connectionOpen.publish(msg);
}

export function closed(id: number, reason: CloseReason, message: string): void {
  if (logging) log("#%d close reason=%s: %s", id, reason, message);
  if (channels.connectionClose.hasSubscribers) channels.connectionClose.publish({ id, reason, message } satisfies ConnectionCloseMessage);
}

/** An event arrived (its name only). */
export function event(id: number, procedure: ProcedureInfo, bytes: number): void {
  if (logging) log("#%d event %s in=%dB", id, procedure.name, bytes);
}

/** A keepalive PING or PONG, sent or received. */
export function keepalive(id: number, direction: "sent" | "received", proc: number): void {
  if (logging) log("#%d keepalive %s %s", id, proc === 1 ? "PING" : proc === 2 ? "PONG" : `procedure ${proc}`, direction);
}

/** An authentication step: scheme, mechanism, step number; never its data. */
export function auth(step: string): void {
  if (logging) log("auth %s", step);
}
