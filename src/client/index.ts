/**
 * The classes behind `connect()` and `open()`, loaded at import (the package
 * root loads them on the first connect). For `instanceof`, subclassing, or
 * paying the load up front.
 *
 * @module libvirt-remote/client
 */
export { connect, Client } from "./client.js";
export { isPermanentFailure } from "./permanent.js";
export { DEFAULT_CONNECT_TIMEOUT } from "./deadline.js";
export { parseUri, type ConnectionUri } from "../uri.js";
export { open, Connection } from "../api/connection.js";
export { Events } from "../api/events.js";
export { ConnectionCore, Handle } from "../api/core.js";
export * from "../gen/friendly/index.js";
