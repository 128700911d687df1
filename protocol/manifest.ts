// What the fetch script and the code generator share: where the repository
// is, and protocol/libvirt.json (the pinned libvirt version, each version's
// files and their sha256). A data module, so the generator needs nothing of
// the fetch script itself.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export interface VersionEntry {
  /** Debian suites whose source lists carry this upstream version. */
  debianSuites: string[];
  tarball: { name: string; sha256: string };
  /** Path inside libvirt's tree -> sha256. */
  files: Record<string, string>;
}

export interface Manifest {
  pinned: string;
  versions: Record<string, VersionEntry>;
}

/** The nearest folder above this file whose package.json is libvirt-remote (works from src and dist). */
export function repoRoot(start = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg)) {
      try {
        const json: unknown = JSON.parse(readFileSync(pkg, "utf8"));
        if (typeof json === "object" && json !== null && (json as { name?: unknown }).name === "libvirt-remote") return dir;
      } catch {
        // unreadable package.json: keep walking
      }
    }
    if (dirname(dir) === dir) throw new Error(`no libvirt-remote package.json above ${start}`);
  }
}

/** protocol/libvirt.json of the repository (or of the installed package). */
export function manifestPath(root = repoRoot()): string {
  return join(root, "protocol", "libvirt.json");
}

export function readManifest(root = repoRoot()): Manifest {
  return JSON.parse(readFileSync(manifestPath(root), "utf8")) as Manifest;
}

/**
 * Names the libvirt version a file came from by its sha256: the first
 * version in the manifest's order that has it (the pinned one is listed
 * first, so a file unchanged since an older version names the pinned one).
 */
export function versionBySha(manifest: Manifest): (sha256: string) => string | undefined {
  const bySha = new Map<string, string>();
  for (const [version, entry] of Object.entries(manifest.versions)) {
    for (const sha of Object.values(entry.files)) if (!bySha.has(sha)) bySha.set(sha, version);
  }
  return (sha) => bySha.get(sha);
}
