/**
 * The admin client (virt-admin's protocol), loaded at import; the package
 * root's `connectAdmin()` loads it on first use.
 *
 * @module libvirt-remote/admin
 */
export { connectAdmin, AdminClient, type AdminConnectOptions, type AdminClientEvents } from "./client.js";
export { resolveAdminUri, parseAdminUri, type AdminUri } from "./uri.js";
export { typedParamsObject, uintParams, type TypedParamScalar } from "./params.js";
