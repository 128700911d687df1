import type { CredentialRequest } from "../credentials.js";
import type { Answers, SaslStep } from "./mechanism.js";

/** Cyrus SASL's prompts, which libvirt passes on to the program unchanged (virsh prints them). */
export const PROMPTS = {
  authname: "Please enter your authentication name",
  password: "Please enter your password",
  realm: "Please enter your realm",
} as const;

/**
 * The authentication name and password a password mechanism needs: asks
 * for both in one round (as libvirt collects Cyrus's interactions), or
 * takes that round's answers. The driver never calls back with a request
 * left unanswered: it fails with ERR_AUTH_CREDENTIALS first.
 */
export function askAuthnamePassword(
  answers: Answers | undefined,
  extra: CredentialRequest[] = [],
): Extract<SaslStep, { kind: "interact" }> | { kind: "answered"; user: string; password: string; extra: readonly (string | undefined)[] } {
  if (answers === undefined) {
    return {
      kind: "interact",
      requests: [{ type: "authname", prompt: PROMPTS.authname }, { type: "passphrase", prompt: PROMPTS.password }, ...extra],
    };
  }
  return { kind: "answered", user: answers[0] ?? "", password: answers[1] ?? "", extra: answers.slice(2) };
}
