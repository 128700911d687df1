import { AuthError } from "../errors.js";
import { digestMd5 } from "./digest-md5.js";
import type { SaslMechanismFactory, SaslParams } from "./mechanism.js";
import { external, plain } from "./plain.js";
import { scram } from "./scram.js";

/** The mechanisms written here, on node:crypto. */
export function builtinMechanisms(): SaslMechanismFactory[] {
  return [scram("SHA-512"), scram("SHA-256"), scram("SHA-1"), digestMd5(), external(), plain()];
}

/** Built-ins with the plug-ins added; a plug-in with a built-in's name replaces it. */
export function mechanismSet(plugins: readonly SaslMechanismFactory[] = []): SaslMechanismFactory[] {
  const byName = new Map(builtinMechanisms().map((m) => [m.name.toUpperCase(), m]));
  for (const p of plugins) byName.set(p.name.toUpperCase(), p);
  return [...byName.values()];
}

/** The daemon's list (Cyrus separates with commas; spaces tolerated). */
export function parseMechList(list: string): string[] {
  return list.split(/[\s,]+/).filter((m) => m !== "").map((m) => m.toUpperCase());
}

/**
 * The mechanism to use, as Cyrus SASL's client picks it: among those the
 * daemon offers and we have, drop the ones that cannot reach the required
 * strength (a layer of `minSsf` beyond the transport's) and, off a secure
 * transport, those that send the password in the clear; take the best
 * ranked. `want` (from `auth=sasl.MECH`) restricts the choice to one.
 */
export function chooseMechanism(
  offered: readonly string[],
  ours: readonly SaslMechanismFactory[],
  params: SaslParams,
  secure: boolean,
  want: string | null,
): SaslMechanismFactory {
  const mine = new Map(ours.map((m) => [m.name.toUpperCase(), m]));
  const oursText = [...mine.keys()].join(", ");
  if (want !== null) {
    const w = want.toUpperCase();
    if (!offered.includes(w)) {
      throw new AuthError("ERR_AUTH_NO_MECHANISM", `SASL mechanism ${w} is not offered by the daemon (it offers ${offered.join(", ") || "none"})`, { offered });
    }
    if (!mine.has(w)) throw new AuthError("ERR_AUTH_NO_MECHANISM", `SASL mechanism ${w} is not available in this client (it has ${oursText}; add it with auth.mechanisms)`, { offered });
  }
  const common = offered.filter((m) => (want === null || m === want.toUpperCase()) && mine.has(m)).map((m) => mine.get(m)!);
  if (common.length === 0) {
    throw new AuthError("ERR_AUTH_NO_MECHANISM", `the daemon offers only SASL mechanisms this client lacks (${offered.join(", ") || "none"}; this client has ${oursText}; add others with auth.mechanisms)`, { offered });
  }
  const need = Math.max(0, params.minSsf - params.externalSsf);
  const strong = common.filter((m) => m.maxSsf >= need && !(m.plaintext === true && !secure));
  if (strong.length === 0) {
    const names = common.map((m) => `${m.name} (${m.plaintext === true && !secure ? "sends the password in the clear" : `strength ${m.maxSsf}`})`).join(", ");
    throw new AuthError("ERR_AUTH_TOO_WEAK", `no SASL mechanism the daemon offers is strong enough here: a strength of ${need} is required on this transport, and ${names} cannot give it`, { offered });
  }
  return strong.reduce((best, m) => (m.rank > best.rank ? m : best));
}
