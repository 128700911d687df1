import { AuthError } from "../errors.js";
import { stepAfterCompletion, utf8, type Answers, type SaslMechanism, type SaslMechanismFactory, type SaslStep } from "./mechanism.js";
import { askAuthnamePassword } from "./prompts.js";

/**
 * PLAIN (RFC 4616): `authzid NUL authcid NUL password` in one message,
 * in the clear, so libvirt lets Cyrus use it only where the transport is
 * already secure (TLS, Unix socket): `plaintext` keeps it off plain TCP.
 */
export function plain(): SaslMechanismFactory {
  return { name: "PLAIN", rank: 100, maxSsf: 0, plaintext: true, create: () => new Plain() };
}

class Plain implements SaslMechanism {
  private done = false;

  start(answers?: Answers): SaslStep {
    const creds = askAuthnamePassword(answers);
    if (creds.kind === "interact") return creds;
    this.done = true;
    // No authorization identity: the daemon authorizes the authentication name.
    return { kind: "complete", response: utf8(`\0${creds.user}\0${creds.password}`) };
  }

  step(): SaslStep {
    // PLAIN is one message: done after start, and before start there is nothing to answer.
    if (this.done) throw stepAfterCompletion("PLAIN");
    throw new AuthError("ERR_AUTH_SERVER", "PLAIN: the daemon sent a challenge before the credentials");
  }

  layer(): { ssf: number; filter: null } {
    return { ssf: 0, filter: null };
  }
}

/**
 * EXTERNAL (RFC 4422 appendix A): the daemon already knows who we are
 * from the transport; the client asks only for an authorization identity,
 * sent empty (the transport's identity) unless one is configured.
 */
export function external(authzid = ""): SaslMechanismFactory {
  return {
    name: "EXTERNAL",
    rank: 200,
    maxSsf: 0,
    create: () => ({
      start: () => ({ kind: "complete", response: utf8(authzid) }),
      // One message, sent by start: any challenge comes after completion.
      step: () => {
        throw stepAfterCompletion("EXTERNAL");
      },
      layer: () => ({ ssf: 0, filter: null }),
    }),
  };
}
