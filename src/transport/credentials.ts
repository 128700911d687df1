/**
 * Credentials as libvirt's virConnectAuth asks for them: a request per
 * item, typed as libvirt's VIR_CRED_* kinds, answered by the program.
 * They live with the transports because the in-process SSH transport asks
 * for them before any session exists; the auth layer above asks the same way
 * (auth/credentials.ts re-exports these and adds the SASL and scheme options).
 */
export type CredentialType =
  | "username"
  | "authname"
  | "language"
  | "cnonce"
  | "passphrase"
  | "echoprompt"
  | "noechoprompt"
  | "realm"
  | "external";

export interface CredentialRequest {
  type: CredentialType;
  /** What to show a person, as libvirt's client would. */
  prompt: string;
  /** Extra context (a host key fingerprint, a keyboard-interactive instruction). */
  challenge?: string;
  /** A default answer, if the mechanism has one. */
  defaultResult?: string;
}

/**
 * Answers every request of one round, in order; `undefined` leaves one
 * unanswered (the mechanism then fails or tries the next method).
 */
export type CredentialCallback = (requests: readonly CredentialRequest[]) => Promise<readonly (string | undefined)[]> | readonly (string | undefined)[];

/** What answers credential requests: fixed values, then a callback. AuthOptions extends it. */
export interface CredentialAnswers {
  /** Answers "username" and "authname" requests. */
  username?: string;
  /** Answers "passphrase" and "noechoprompt" requests. */
  password?: string;
  /** Asked for whatever `username`, `password` and auth.conf do not answer. */
  callback?: CredentialCallback;
}

/** Answers requests from the fixed values first, then the callback for the rest. */
export async function answerCredentials(auth: CredentialAnswers | undefined, requests: readonly CredentialRequest[]): Promise<(string | undefined)[]> {
  const answers = requests.map((r): string | undefined => {
    if ((r.type === "username" || r.type === "authname") && auth?.username !== undefined) return auth.username;
    if ((r.type === "passphrase" || r.type === "noechoprompt") && auth?.password !== undefined) return auth.password;
    return undefined;
  });
  const open = requests.map((r, i) => ({ r, i })).filter(({ i }) => answers[i] === undefined);
  if (open.length > 0 && auth?.callback !== undefined) {
    const more = await auth.callback(open.map(({ r }) => r));
    open.forEach(({ i }, k) => (answers[i] = more[k]));
  }
  return answers;
}
