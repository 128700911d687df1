/**
 * The SASL mechanisms, the terminal prompt and auth.conf, for passing to
 * `connect(uri, { auth })` explicitly.
 *
 * @module libvirt-remote/auth
 */
export type { AuthOptions, CredentialCallback, CredentialRequest, CredentialType } from "./credentials.js";
export type { AuthOutcome } from "./negotiate.js";
export { AuthError, PolkitError, type AuthErrorCode, type PolkitOutcome } from "./errors.js";
export { terminalPrompt } from "./prompt.js";
export { AuthConfig } from "./authconf.js";
export type { SaslMechanism, SaslMechanismFactory, SaslStep } from "./sasl/mechanism.js";
export { scram } from "./sasl/scram.js";
export { digestMd5 } from "./sasl/digest-md5.js";
export { plain, external } from "./sasl/plain.js";
