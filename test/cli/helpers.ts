import { execFile } from "node:child_process";
import { join } from "node:path";
import { repoRoot } from "../../protocol/fetch.js";

/** The built command, as users run it (`npm test` builds first). */
export const cli = join(repoRoot(), "dist/src/cli/main.js");

export interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program to its end, whatever its exit code; the environment without our URI variables unless given. */
export function runProgram(file: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Outcome> {
  const base = { ...process.env };
  delete base["LIBVIRT_DEFAULT_URI"];
  delete base["VIRSH_DEFAULT_CONNECT_URI"];
  return new Promise((resolve) => {
    execFile(file, [...args], { encoding: "utf8", env: { ...base, ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === "number" ? (err as { code: number }).code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

export const lr = (args: readonly string[], env?: NodeJS.ProcessEnv): Promise<Outcome> => runProgram("node", [cli, ...args], env);
export const virshRun = (args: readonly string[], env?: NodeJS.ProcessEnv): Promise<Outcome> => runProgram("virsh", args, env);

/** Runs `jobs` at most `n` at a time (two cores, shared). */
export async function limited<T>(n: number, jobs: readonly (() => Promise<T>)[]): Promise<T[]> {
  const out: T[] = new Array<T>(jobs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, jobs.length) }, async () => {
      while (next < jobs.length) {
        const i = next++;
        out[i] = await jobs[i]!();
      }
    }),
  );
  return out;
}
