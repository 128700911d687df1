/**
 * Whether an end-to-end suite must be skipped for want of something on the
 * machine (root, sshd, tcpdump, ...). In CI a skip is a failure, as
 * global-setup.ts makes a missing daemon one: the machine CI runs on must run
 * every suite, or the run proves nothing about them. Elsewhere the suite is
 * skipped with one warning that says why, never silently.
 */
export function mustSkip(suite: string, needs: Readonly<Record<string, boolean>>, env: NodeJS.ProcessEnv = process.env): boolean {
  const missing = Object.entries(needs)
    .filter(([, present]) => !present)
    .map(([what]) => what);
  if (missing.length === 0) return false;
  const why = `${suite} needs ${missing.join(", ")}`;
  if (env["CI"] !== undefined) throw new Error(`CI must run every end-to-end suite, but ${why}`);
  if (!warned.has(suite)) {
    warned.add(suite);
    console.warn(`skipped: ${why}`);
  }
  return true;
}

const warned = new Set<string>();
