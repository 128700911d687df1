import type { eventFamilies } from "../gen/events.js";
import type { qemuProgram } from "../gen/qemu_protocol.js";
import type { remoteProgram } from "../gen/remote_protocol.js";
import type { CodecValue } from "../xdr/index.js";

type Families = typeof eventFamilies;
/** domain, network, storagePool, nodeDevice, secret; and qemu for monitor events. */
export type EventFamily = keyof Families | "qemu";
type Kinds<F extends keyof Families> = Families[F]["kinds"];
export type EventName<F extends EventFamily> = F extends keyof Families ? keyof Kinds<F> & string : "monitor";

type Procedures = (typeof remoteProgram)["procedures"];
type MessageOf<M> = M extends keyof Procedures ? CodecValue<Procedures[M]["message"]> : never;
/** The old domain events wrap their body in `msg`; the rest sit beside callbackID. */
type Unwrap<T> = T extends { msg: infer Inner } ? Inner : Omit<T, "callbackID">;

type QemuMonitorMessage = Omit<CodecValue<(typeof qemuProgram)["procedures"]["domainMonitorEvent"]["message"]>, "callbackID">;

/** What an event carries: the message's fields, without the callback ID. */
export type EventData<F extends EventFamily, K extends EventName<F>> = F extends keyof Families
  ? K extends keyof Kinds<F>
    ? Kinds<F>[K] extends { method: infer M }
      ? Unwrap<MessageOf<M>>
      : never
    : never
  : QemuMonitorMessage;

/** Every event, as a union keyed by family and event name. */
export type LibvirtEvent = {
  [F in EventFamily]: { [K in EventName<F>]: { family: F; event: K; data: EventData<F, K> } }[EventName<F>];
}[EventFamily];

/** The event of one family and name. */
export type EventOf<F extends EventFamily, K extends EventName<F>> = Extract<LibvirtEvent, { family: F; event: K }>;
