/**
 * The transports `connect()` picks from a URI, for building one by hand
 * (`connect(uri, { transport })`).
 *
 * @module libvirt-remote/transport
 */
export type { Transport } from "./transport.js";
export { UnixTransport, TcpTransport } from "./socket.js";
export { AutostartTransport } from "./autostart.js";
export { autostartPlan, type AutostartPlan } from "./autostart-plan.js";
export { AutostartError, type AutostartFailure } from "./autostart-error.js";
export type { AutostartOptions } from "./options.js";
export { TlsTransport, type TlsSettings } from "./tls.js";
export type { TlsCredentials } from "./pki.js";
export { SshTransport } from "./ssh.js";
export { LibsshTransport, type LibsshFlavour, type LibsshSettings } from "./libssh.js";
export { ExtTransport } from "./ext.js";
export { CommandDuplex, type ExitStatus } from "./child.js";
export { MemoryTransport, memoryPair } from "./memory.js";
