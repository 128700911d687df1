export { connect, Client, type ConnectOptions, type ClientEvents, type DisconnectInfo, type ReconnectInfo } from "./client/client.js";
export type { ReconnectOptions } from "./client/reconnect.js";
export type { ProgramApi, ProcedureMethod } from "./client/api.js";
export {
  EventDispatcher,
  type Subscription,
  type SubscribeOptions,
  type ListenerOptions,
  type StreamOptions,
  type WaitOptions,
  type Listener,
  type EventObject,
  type EventIterator,
  type EventWaiter,
  type EventConnection,
} from "./events/dispatcher.js";
export { EventGap, isGap } from "./events/gap.js";
export { ListenerError, EventGapError } from "./events/errors.js";
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
export { SshTransport } from "./transport/ssh.js";
export { LibsshTransport, type LibsshFlavour, type LibsshSettings } from "./transport/libssh.js";
export { ExtTransport } from "./transport/ext.js";
export { CommandDuplex, type ExitStatus } from "./transport/child.js";
export { XdrError, type XdrErrorCode } from "./xdr/index.js";
export * as gen from "./gen/index.js";
export { connectAdmin, AdminClient, type AdminConnectOptions, type AdminClientEvents } from "./admin/client.js";
export { resolveAdminUri, parseAdminUri, type AdminUri } from "./admin/uri.js";
export { typedParamsObject, uintParams, type TypedParamScalar } from "./admin/params.js";
export { typedParamValue } from "./typed-param.js";
export type { AuthOptions, CredentialCallback, CredentialRequest, CredentialType } from "./auth/credentials.js";
export type { AuthOutcome } from "./auth/negotiate.js";
export { AuthError, PolkitError, type AuthErrorCode, type PolkitOutcome } from "./auth/errors.js";
export { terminalPrompt } from "./auth/prompt.js";
export { AuthConfig } from "./auth/authconf.js";
export type { SaslMechanism, SaslMechanismFactory, SaslStep } from "./auth/sasl/mechanism.js";
export { scram } from "./auth/sasl/scram.js";
export { digestMd5 } from "./auth/sasl/digest-md5.js";
export { plain, external } from "./auth/sasl/plain.js";
export { TransportError, OptionError } from "./rpc/errors.js";
export { TlsTransport, type TlsSettings } from "./transport/tls.js";
export type { TlsCredentials } from "./transport/pki.js";
export type { ByteFilter, FrameTap } from "./rpc/link.js";
export { open, Connection } from "./api/connection.js";
export { Events, type AllEvents, type AllOptions, type EventFilter, type SkippedEvent } from "./api/events.js";
export { ConnectionCore, Handle } from "./api/core.js";
export * from "./gen/friendly/index.js";
export * from "./gen/friendly/constants.js";
export { typed, typeOf, fromTypedParams, toTypedParams, type TypedParams, type TypedParamsInput, type TypedParamType, type TypedScalar, type TypedValue } from "./api/typed.js";
export { uuidToString, uuidFromString, jsonReplacer } from "./api/convert.js";
export type { LibvirtErrorCode } from "./rpc/errors.js";
export * from "./streams/index.js";
export type { StreamFlowOptions } from "./rpc/session.js";
