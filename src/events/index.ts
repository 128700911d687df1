/**
 * Helpers for the events the client delivers: libvirt's symbolic names of an
 * event's numeric fields, virsh's one-line rendering, the gap marker, and
 * the dispatcher class itself.
 *
 * @module libvirt-remote/events
 */
export { eventNames } from "./names.js";
export { formatVirsh, virshTimestamp, type FormatVirshOptions } from "../cli/format/virsh-events.js";
export { EventGap, isGap } from "./gap.js";
export { ListenerError, EventGapError } from "./errors.js";
export { EventDispatcher } from "./dispatcher.js";
export type { Subscription, SubscribeOptions, ListenerOptions, StreamOptions, WaitOptions, Listener, EventObject, EventIterator, EventWaiter, EventConnection } from "./dispatcher.js";
export type { LibvirtEvent, EventOf, EventData, EventFamily, EventName } from "./types.js";
