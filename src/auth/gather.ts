import { AUTH_CONF_ITEM, AuthConfig, authConfigPath } from "./authconf.js";
import type { CredentialRequest } from "./credentials.js";
import { AuthError } from "./errors.js";
import type { AuthContext } from "./context.js";

/**
 * Answers one round of credential requests: the values given to connect()
 * (`auth.username`, `auth.password`) first, then auth.conf as libvirt reads
 * it (service "libvirt", the URI's host), then the callback for the rest.
 * Every request must be answered; the error names what was missing, never
 * a value.
 */
export async function gatherCredentials(ctx: AuthContext, requests: readonly CredentialRequest[], what: string): Promise<string[]> {
  const auth = ctx.auth;
  const answers = requests.map((r): string | undefined => {
    if ((r.type === "username" || r.type === "authname") && auth?.username !== undefined) return auth.username;
    if ((r.type === "passphrase" || r.type === "noechoprompt") && auth?.password !== undefined) return auth.password;
    return undefined;
  });
  let configPath: string | null = null;
  if (answers.some((a) => a === undefined) && auth?.authFile !== false) {
    configPath = typeof auth?.authFile === "string" ? auth.authFile : authConfigPath(ctx.uri);
    if (configPath !== null) {
      const config = AuthConfig.load(configPath);
      requests.forEach((r, i) => {
        const item = AUTH_CONF_ITEM[r.type];
        if (answers[i] === undefined && item !== undefined) answers[i] = config.lookup("libvirt", ctx.uri.host, item);
      });
    }
  }
  const open = requests.map((r, i) => ({ r, i })).filter(({ i }) => answers[i] === undefined);
  if (open.length > 0 && auth?.callback !== undefined) {
    const more = await auth.callback(open.map(({ r }) => r));
    open.forEach(({ i }, k) => (answers[i] = more[k]));
  }
  const missing = requests.filter((_, i) => answers[i] === undefined).map((r) => r.type);
  if (missing.length > 0) {
    const where = [
      "connect()'s auth option",
      configPath === null ? "an auth.conf (none found)" : `auth.conf (${configPath})`,
      auth?.callback === undefined ? "a credentials callback (none given)" : "the credentials callback (it left them unanswered)",
    ];
    throw new AuthError("ERR_AUTH_CREDENTIALS", `${what} needs ${missing.join(", ")}, and none came from ${where.join(", ")}`);
  }
  return answers as string[];
}
