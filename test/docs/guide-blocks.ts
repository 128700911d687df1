// What the guide tests share: which pages are the package users' guides,
// how their TypeScript blocks are found, and the strict compiler flags a
// consumer's project may well use.

/** The guides for package users, from the package root (both ship in the tarball). */
export const GUIDES = ["docs/getting-started.md", "docs/testing.md"] as const;

/** The body of every ```ts fenced block, in page order. */
export function codeBlocks(page: string): string[] {
  return [...page.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
}

/** tsc flags for a block compiled alone: as strict as this repository's own code. */
export const STRICT_FLAGS = [
  "--ignoreConfig",
  "--noEmit",
  "--strict",
  "--exactOptionalPropertyTypes",
  "--noUncheckedIndexedAccess",
  "--verbatimModuleSyntax",
  "--noUnusedLocals",
  "--module",
  "nodenext",
  "--target",
  "es2022",
  "--lib",
  "es2023",
  "--types",
  "node",
];
