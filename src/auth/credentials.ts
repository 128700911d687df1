import type { CredentialAnswers } from "../transport/credentials.js";
import type { SaslMechanismFactory } from "./sasl/mechanism.js";

// The requests and their answering live with the transports (in-process SSH
// asks for credentials too); re-exported here, where auth's users look.
export { answerCredentials, type CredentialAnswers, type CredentialCallback, type CredentialRequest, type CredentialType } from "../transport/credentials.js";

export interface AuthOptions extends CredentialAnswers {
  /**
   * SASL mechanisms to use besides (or, with the same name, instead of) the
   * built-in ones: plug-ins for GSSAPI and the like (see SaslMechanismFactory).
   */
  mechanisms?: readonly SaslMechanismFactory[];
  /**
   * Forces an auth scheme as the URI's `auth=` parameter does: `"sasl"`,
   * `"sasl.SCRAM-SHA-256"` (one mechanism), `"polkit"`. The URI's wins if both are given.
   */
  scheme?: string;
  /** libvirt's auth.conf: a path instead of libvirt's search, or `false` not to read one. */
  authFile?: string | false;
}
