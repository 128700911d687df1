// Files virsh's domain commands read or name: XML read as virFileReadAll
// reports its failures, and paths made absolute as libvirt's client
// library makes them before the daemon sees them.

import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { CommandFailed } from "../vsh.js";

/** g_strerror's words for the usual errno codes. */
export function errnoText(e: NodeJS.ErrnoException): string {
  const words: Record<string, string> = {
    ENOENT: "No such file or directory",
    EACCES: "Permission denied",
    EISDIR: "Is a directory",
    ENOTDIR: "Not a directory",
  };
  return (e.code !== undefined ? words[e.code] : undefined) ?? e.message;
}

/** virFileReadAll; its error is the library's, so it prints after any line of virsh's own. */
export async function readXmlFile(path: string, lines: readonly string[] = []): Promise<string> {
  return readFile(path, "utf8").catch((e: NodeJS.ErrnoException) => {
    const message = e.code === "EISDIR" ? `Failed to read file '${path}': ${errnoText(e)}` : `Failed to open file '${path}': ${errnoText(e)}`;
    throw new CommandFailed(lines, { cause: new Error(message) });
  });
}

/** g_canonicalize_filename, as libvirt's client applies it to a file it names to the daemon. */
export function absPath(path: string): string {
  return resolve(path);
}
