/**
 * The package root. Importing it loads only what is cheap (errors,
 * constants, small helpers, types); `connect()`, `open()` and
 * `connectAdmin()` load the client on their first call (`src/entry.ts`). The
 * rest has a subpath of its own: /client, /events, /transport, /auth,
 * /streams, /recording (alias /fixtures, deprecated), /admin, /xdr, /gen,
 * /codegen, /testing.
 *
 * @module libvirt-remote
 */
export { connect, open, connectAdmin } from "./entry.js";

export {
  LibvirtRemoteError,
  LibvirtError,
  ProtocolError,
  ConnectionClosedError,
  ConnectError,
  TimeoutError,
  AbortError,
  UnsupportedError,
  UriError,
  TransportError,
  OptionError,
  type CloseReason,
  type ConnectErrorCode,
  type LibvirtErrorCode,
} from "./rpc/errors.js";
export { AuthError, PolkitError, type AuthErrorCode, type PolkitOutcome } from "./auth/errors.js";
export { AutostartError, type AutostartFailure } from "./transport/autostart-error.js";
export { ListenerError, EventGapError } from "./events/errors.js";
export { XdrError, type XdrErrorCode } from "./xdr/errors.js";

export * from "./gen/friendly/constants.js";
export * as constants from "./gen/friendly/constants.js";
export { typed, typeOf, fromTypedParams, toTypedParams, type TypedParams, type TypedParamsInput, type TypedParamType, type TypedParamValue, type TypedScalar, type TypedValue, type ParamIn, type ParamInput, type ParamTable } from "./api/typed.js";
export { typedParamStringFlag, supportsTypedParamString } from "./api/features.js";
export { TypedParamError } from "./api/errors.js";
export type { BlockCopyParams, IdentityParams, IOThreadParams, LaunchSecurityStateParams, MigrateParams, SaveParams, ThrottleGroupParams } from "./gen/friendly/index.js";
export { typedParamValue } from "./typed-param.js";
export { uuidToString, uuidFromString, jsonReplacer } from "./api/convert.js";
export { EventGap, isGap } from "./events/gap.js";
export { Hole, isHole, type StreamChunk } from "./streams/hole.js";

// Types only: free at run time. The classes themselves come from the subpaths.
export type { Client, ConnectOptions, ClientEvents, DisconnectInfo, ReconnectInfo } from "./client/client.js";
export type { ReconnectOptions, ReconnectFailedInfo } from "./client/reconnect.js";
export type { ProgramApi, ProcedureMethod } from "./client/api.js";
export type {
  EventDispatcher,
  Subscription,
  SubscribeOptions,
  ListenerOptions,
  StreamOptions,
  WaitOptions,
  Listener,
  EventObject,
  EventIterator,
  EventWaiter,
  EventConnection,
} from "./events/dispatcher.js";
export type { LibvirtEvent, EventOf, EventData, EventFamily, EventName } from "./events/types.js";
export type { ConnectionUri } from "./uri.js";
export type { CallOptions, CloseInfo, InboundEvent, SessionStats, StreamFlowOptions } from "./rpc/session.js";
export type { Connection } from "./api/connection.js";
export type { Events, AllEvents, AllOptions, EventFilter, SkippedEvent } from "./api/events.js";
export type { ConnectionCore, Handle } from "./api/core.js";
export type { CpuSelection } from "./api/cpumap.js";
export type { DomainCpus, VcpusInfo, IothreadInfo } from "./api/domain-cpus.js";
export type {
  ConnectionApi,
  Domain,
  Network,
  NetworkPort,
  NWFilter,
  NWFilterBinding,
  Interface,
  StoragePool,
  StorageVol,
  NodeDevice,
  Secret,
  DomainCheckpoint,
  DomainSnapshot,
} from "./gen/friendly/index.js";
export type { AdminClient, AdminConnectOptions, AdminClientEvents } from "./admin/client.js";
export type { AuthOptions, CredentialCallback, CredentialRequest, CredentialType } from "./auth/credentials.js";
export type { AuthOutcome } from "./auth/negotiate.js";
export type { Transport } from "./transport/transport.js";
export type { TlsCredentials } from "./transport/pki.js";
export type { ByteFilter, FrameTap } from "./rpc/link.js";
export type { ReceiveStream, ReceiveOptions, TypedReadable, DeviceStream, DeviceOptions, UploadSource, SendOptions, DownloadOptions, CaptureOptions, DeviceCallOptions, UploadOptions, HoleMode } from "./streams/index.js";
export type * from "./gen/types.js";
