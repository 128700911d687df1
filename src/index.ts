export { connect, Client, type ConnectOptions, type ClientEvents } from "./client/client.js";
export type { ProgramApi, ProcedureMethod } from "./client/api.js";
export { EventDispatcher, type Subscription, type SubscribeOptions, type Listener, type EventObject } from "./events/dispatcher.js";
export type { LibvirtEvent, EventOf, EventData, EventFamily, EventName } from "./events/types.js";
export { eventNames } from "./events/names.js";
export { formatVirsh } from "./events/virsh-format.js";
export {
  LibvirtRemoteError,
  LibvirtError,
  ProtocolError,
  ConnectionClosedError,
  TimeoutError,
  AbortError,
  UnsupportedError,
  UriError,
  type CloseReason,
} from "./rpc/errors.js";
export type { CallOptions, CloseInfo, InboundEvent, SessionStats } from "./rpc/session.js";
export { parseUri, type ConnectionUri } from "./uri.js";
export { Recorder } from "./fixtures/recorder.js";
export { ReplayTransport, ReplaySession } from "./fixtures/replay.js";
export { readFixture, writeFixture, FIXTURE_FORMAT, type Fixture, type FixtureFrame, type FixtureHeader } from "./fixtures/format.js";
export { importCapture } from "./fixtures/pcap.js";
export type { Transport } from "./transport/transport.js";
export { UnixTransport, TcpTransport } from "./transport/socket.js";
export { MemoryTransport, memoryPair } from "./transport/memory.js";
export { XdrError, type XdrErrorCode } from "./xdr/index.js";
export * as gen from "./gen/index.js";
