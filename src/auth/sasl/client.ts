import { remoteProgram } from "../../gen/remote_protocol.js";
import { AbortError, ConnectionClosedError } from "../../rpc/errors.js";
import * as trace from "../../rpc/trace.js";
import type { ProcedureInfo } from "../../xdr/index.js";
import { gatherCredentials } from "../gather.js";
import { AuthError } from "../errors.js";
import type { AuthContext } from "../context.js";
import { externalSsf, isSecureTransport } from "../strength.js";
import type { Answers, SaslMechanism, SaslParams, SaslStep } from "./mechanism.js";
import { chooseMechanism, mechanismSet, parseMechList } from "./registry.js";
import { fromXdrChars, toXdrChars } from "./xdr-bytes.js";

/** libvirt's REMOTE_AUTH_SASL_DATA_MAX. */
const DATA_MAX = 65536;
/** Cyrus's maxbufsize as libvirt sets it: the largest security-layer packet each side accepts. */
const MAX_BUF = 65536;
/** A daemon that stops answering mid-negotiation: give up after this (connectTimeout may be shorter). */
const STEP_TIMEOUT = 60_000;
/**
 * AUTH_SASL_STEP round trips allowed before giving up. The longest exchange
 * libvirt's Cyrus runs, GSSAPI, takes 3 (Kerberos token, then the wrapped
 * security-layer offer and answer); DIGEST-MD5 and SCRAM take 2, PLAIN and
 * EXTERNAL none. 16 leaves room for multi-leg plug-ins (SPNEGO, NTLM) and
 * stops a mechanism that never completes within milliseconds, where
 * libvirt, trusting Cyrus's mechanisms to end, has no bound.
 */
const MAX_STEPS = 16;

export interface SaslOutcome {
  mechanism: string;
  /** The strength of the negotiated layer (0: none, 1: integrity). */
  ssf: number;
  /** The layer's name, or null when bytes go as they are. */
  layer: string | null;
}

interface Reply {
  complete: number;
  nil: number;
  data: number[];
}

/**
 * libvirt's remoteAuthSASL: AUTH_SASL_INIT for the daemon's list, a
 * mechanism chosen as Cyrus chooses, AUTH_SASL_START, then AUTH_SASL_STEP
 * until both sides are complete (the client always checks the daemon's
 * last word: mutual authentication). The step that completes runs inside
 * the reply's hook, so the security layer is in place for the very next
 * byte, where libvirtd starts its own.
 */
export async function authenticateSasl(ctx: AuthContext, want: string | null): Promise<SaslOutcome> {
  const secure = isSecureTransport(ctx.uri.transport);
  const params: SaslParams = {
    service: "libvirt",
    host: ctx.uri.host ?? "localhost",
    // libvirt: "if we're not secure, forbid any anonymous or trivially crackable auth".
    minSsf: secure ? 0 : 56,
    maxSsf: secure ? 0 : 100000,
    externalSsf: externalSsf(ctx.stream),
    maxBuf: MAX_BUF,
  };
  let phase = "AUTH_SASL_INIT";
  const call = async <T>(procedure: ProcedureInfo, args: unknown, onReply?: (v: T) => void): Promise<T> => {
    try {
      return (await ctx.call(procedure, args, {
        timeout: STEP_TIMEOUT,
        ...(ctx.signal === undefined ? {} : { signal: ctx.signal }),
        ...(onReply === undefined ? {} : { onReply: onReply as (v: unknown) => void }),
      })) as T;
    } catch (e) {
      if (e instanceof ConnectionClosedError) {
        throw new ConnectionClosedError(e.reason, `the daemon closed the connection during SASL authentication (at ${phase}): ${e.message}`, { cause: e });
      }
      throw e;
    }
  };

  const { mechlist } = await call<{ mechlist: string }>(remoteProgram.procedures.authSaslInit, undefined);
  const offered = parseMechList(mechlist);
  const factory = chooseMechanism(offered, mechanismSet(ctx.auth?.mechanisms), params, secure, want);
  const mech = factory.create(params);
  trace.auth(`SASL offered ${offered.join(" ")}; chose ${factory.name}`);

  let last = await interact(ctx, factory.name, (a) => mech.start(a));
  let serverIn: Uint8Array | null = null;
  /** True while the daemon's latest data still waits for the mechanism. */
  let unread = false;
  /** The daemon's final data, given to a step that could not answer at once (SCRAM deriving its key). */
  let deferred: Promise<SaslStep> | null = null;
  let outcome: SaslOutcome | null = null;

  const onReply = (r: Reply): void => {
    serverIn = r.nil !== 0 ? null : fromXdrChars(r.data);
    unread = true;
    if (r.complete === 0) return;
    // The daemon is done and switches to its layer after this reply: finish here, synchronously if the mechanism can.
    if (last.kind !== "complete") {
      const next = mech.step(serverIn);
      unread = false;
      if (isPromise(next)) {
        // Awaited by the loop below; handled here so that a failure is not reported as unhandled meanwhile.
        deferred = next;
        next.catch(() => {});
        return;
      }
      last = finalStep(next, factory.name);
    }
    if (last.kind === "complete") outcome = finish(ctx, mech, factory.name, secure);
  };

  phase = "AUTH_SASL_START";
  trace.auth(`SASL ${factory.name} start`);
  let steps = 0;
  let reply = await call<Reply>(
    remoteProgram.procedures.authSaslStart,
    { mech: factory.name, ...payload(last) },
    onReply,
  );
  for (;;) {
    if (deferred !== null) {
      const pending: Promise<SaslStep> = deferred;
      deferred = null;
      last = finalStep(await untilAborted(pending, ctx.signal, factory.name), factory.name);
    }
    if (reply.complete !== 0 && last.kind === "complete") {
      outcome ??= finish(ctx, mech, factory.name, secure);
      break;
    }
    if (unread) {
      // Cyrus's sasl_client_step fails once the mechanism is done, whatever the mechanism: so does this.
      if (last.kind === "complete") {
        throw new AuthError("ERR_AUTH_SERVER", `authentication failed: Failed to step SASL negotiation: ${factory.name} has completed, but the daemon asks for another step`);
      }
      const challenge: Uint8Array | null = serverIn;
      last = await interact(ctx, factory.name, (a) => mech.step(challenge, a));
      unread = false;
    }
    if (reply.complete !== 0 && last.kind === "complete") {
      outcome = finish(ctx, mech, factory.name, secure);
      break;
    }
    if (steps === MAX_STEPS) {
      throw new AuthError("ERR_AUTH_SERVER", `authentication failed: Failed to step SASL negotiation: ${factory.name} has not completed after ${MAX_STEPS} steps; giving up`);
    }
    phase = "AUTH_SASL_STEP";
    trace.auth(`SASL ${factory.name} step ${++steps}`);
    reply = await call<Reply>(remoteProgram.procedures.authSaslStep, payload(last), onReply);
  }
  const done = outcome ?? finish(ctx, mech, factory.name, secure);
  trace.auth(`SASL ${factory.name} complete, ssf=${done.ssf}`);
  return done;
}

/** START/STEP data: nil when the mechanism has none, which SASL tells apart from empty. */
function payload(step: SaslStep): { nil: number; data: number[] } {
  const out = step.kind === "interact" ? null : step.response;
  if (out !== null && out.length > DATA_MAX) throw new AuthError("ERR_AUTH_SERVER", `SASL negotiation data too long: ${out.length} bytes`);
  return out === null ? { nil: 1, data: [] } : { nil: 0, data: toXdrChars(out) };
}

/** A step answering the daemon's last word: it can no longer ask for credentials. */
function finalStep(step: SaslStep, mech: string): SaslStep {
  if (step.kind === "interact") throw new AuthError("ERR_AUTH_SERVER", `${mech}: the daemon finished while the client still needed credentials`);
  return step;
}

function isPromise(x: SaslStep | Promise<SaslStep>): x is Promise<SaslStep> {
  return typeof (x as Partial<Promise<SaslStep>>).then === "function";
}

/** A slow step (a key derivation) ends the wait when connecting is aborted or times out; its result is dropped. */
function untilAborted(step: SaslStep | Promise<SaslStep>, signal: AbortSignal | undefined, mech: string): SaslStep | Promise<SaslStep> {
  if (!isPromise(step) || signal === undefined) return step;
  step.catch(() => {});
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(new AbortError(`SASL ${mech} step was aborted`, { cause: signal.reason }));
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    step.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/** Runs a step, gathering the credentials it asks for and running it again with them. */
async function interact(ctx: AuthContext, mech: string, run: (answers?: Answers) => SaslStep | Promise<SaslStep>): Promise<SaslStep> {
  const first = await untilAborted(run(), ctx.signal, mech);
  if (first.kind !== "interact") return first;
  const answers = await gatherCredentials(ctx, first.requests, `SASL ${mech}`);
  const again = await untilAborted(run(answers), ctx.signal, mech);
  if (again.kind === "interact") throw new AuthError("ERR_AUTH_CREDENTIALS", `${mech} asked for credentials twice`);
  return again;
}

/** libvirt's check after the exchange: off a secure transport, strength 56 or more; then the layer goes in. */
function finish(ctx: AuthContext, mech: SaslMechanism, name: string, secure: boolean): SaslOutcome {
  const { ssf, filter } = mech.layer();
  if (!secure && ssf < 56) {
    throw new AuthError("ERR_AUTH_TOO_WEAK", `${name}: negotiated strength ${ssf} is not strong enough (56 needed on ${ctx.uri.transport})`);
  }
  if (filter !== null) ctx.setFilter(filter);
  return { mechanism: name, ssf, layer: filter?.name ?? null };
}
