// `npm run docs`: the API reference of the package's entry points into docs/api/
// (paths are relative to this file). Warnings are errors: a broken link or
// an unknown tag fails the build, so the reference cannot rot quietly.
import { fileURLToPath } from "node:url";
import { OptionDefaults } from "typedoc";

/** @type {Partial<import("typedoc").TypeDocOptions>} */
export default {
  name: "libvirt-remote",
  // The package root, then each subpath of package.json's "exports".
  entryPoints: ["index", "client/index", "events/index", "streams/index", "transport/index", "auth/index", "admin/index", "recording/index", "xdr/index"].map((f) => `../../src/${f}.ts`),
  tsconfig: "../../tsconfig.json",
  out: "../../docs/api",
  // The landing page: what it is, install, a first connection, where to go next.
  readme: "../../docs/index.md",
  // Pages beside the reference; a page's relative images (docs/layers.svg, drawn by `npm run docs:graph`) are copied with it.
  // names.md (npm run gen): every C function and libvirt-python method, and where it is here.
  projectDocuments: ["../../docs/getting-started.md", "../../docs/testing.md", "../../docs/names.md", "../../docs/layers.md"],
  // The search by C and libvirt-python names, constants on one page, Node's inherited stream members left to Node's docs.
  plugin: [fileURLToPath(new URL("./plugins/libvirt-names.mjs", import.meta.url))],
  router: "libvirt-remote",
  excludePrivate: true,
  // Protected members (a handle's `current`) are the generated classes' internals.
  excludeProtected: true,
  excludeInternal: true,
  // libvirt's own procedure annotations, kept on every generated method (src/gen/api/).
  blockTags: [...OptionDefaults.blockTags, "@acl", "@aclfilter", "@readstream", "@writestream", "@sparseflag"],
  // Members inherited from Node's streams link to Node's own docs.
  externalSymbolLinkMappings: { "@types/node": { "*": "https://nodejs.org/api/stream.html" } },
  treatWarningsAsErrors: true,
  validation: { notExported: false, invalidLink: true, rewrittenLink: true, notDocumented: false, unusedMergeModuleWith: true },
  skipErrorChecking: true,
  disableSources: true,
  githubPages: false,
};
