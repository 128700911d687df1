// The layer order of ARCHITECTURE.md ("The layers as rules") as
// dependency-cruiser rules: a module imports from its own layer and the
// layers below it, never from one above. `npm run lint:layers` runs it;
// `.ci/run` fails on any violation.
//
// Paths are relative to the repository root. A layer is a list of path
// patterns; within a layer, later parts ("then" in ARCHITECTURE.md) may import
// earlier ones, never the reverse.
//
// Modules the document does not name sit where their imports put them:
// src/uri.ts (URI parsing, a leaf) with the leaves; src/typed-param.ts
// (typed-parameter values over the generated types) with the generated code;
// src/gen/api (the generated per-program interfaces: call, stream and
// option types) with streams, whose types it names; src/recording (the
// record/replay runtime: a transport and a session tap) with streams and
// events; src/testing (daemon launcher for tests) with the API tools. The
// "./client" and "./admin" entry points (their index.ts) gather the friendly
// API too, and "./events" re-exports virsh's event lines from the CLI, so
// these three sit with the package root. A module of src/ that no layer
// names fails the check (every-module-in-a-layer), so a new or renamed folder
// gets a place here.

// Without a TypeScript parser dependency-cruiser skips .ts files and finds
// nothing wrong; loading swc here makes a missing parser an error instead.
require("@swc/core");

/** @typedef {{ name: string, paths: string[] }} Part */

/** From the bottom up; each entry is one layer, its parts in "then" order. */
/** @type {Part[][]} */
const layers = [
  [{ name: "leaves", paths: ["^src/errors[.]ts$", "^src/errors/", "^src/xdr/", "^src/uuid[.]ts$", "^src/uri[.]ts$"] }],
  [{ name: "generated", paths: ["^src/gen/[^/]+[.]ts$", "^src/typed-param[.]ts$"] }],
  [
    { name: "transport", paths: ["^src/transport/"] },
    { name: "rpc", paths: ["^src/rpc/"] },
    { name: "auth", paths: ["^src/auth/"] },
  ],
  [{ name: "streams-events", paths: ["^src/streams/", "^src/events/(?!index[.]ts$)", "^src/gen/api/", "^src/recording/"] }],
  [
    { name: "connection-manager", paths: ["^src/client/(?!index[.]ts$|client[.]ts$)"] },
    { name: "client-facade", paths: ["^src/client/client[.]ts$"] },
    { name: "admin", paths: ["^src/admin/(?!index[.]ts$)"] },
  ],
  [{ name: "api", paths: ["^src/api/", "^src/gen/friendly/", "^src/testing/"] }],
  [{ name: "cli", paths: ["^src/cli/"] }],
  // The package root and the entry points that gather several layers.
  [{ name: "entry", paths: ["^src/index[.]ts$", "^src/entry[.]ts$", "^src/client/index[.]ts$", "^src/admin/index[.]ts$", "^src/events/index[.]ts$"] }],
];

const parts = layers.flatMap((layer, level) => layer.map((part, order) => ({ ...part, level, order })));
const above = (p) => parts.filter((q) => q.level > p.level || (q.level === p.level && q.order > p.order));

/** One rule per part: nothing in it imports a part above it. */
const upward = parts
  .filter((p) => above(p).length > 0)
  .map((p) => ({
    name: `no-upward-from-${p.name}`,
    comment: `${p.name} (layer ${p.level + 1}) imports only its own layer and those below (ARCHITECTURE.md, "The layers as rules")`,
    severity: "error",
    from: { path: p.paths },
    to: { path: above(p).flatMap((q) => q.paths) },
  }));

/** The generated handle classes that name each other, two by two: the only cycles allowed. */
const handlePairs = "^src/gen/friendly/(domain|domain_snapshot|domain_checkpoint|network|network_port|storage_pool|storage_vol)[.]ts$";

const placed = parts.flatMap((p) => p.paths);

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...upward,
    {
      name: "every-module-in-a-layer",
      comment: "a module of src/ that no layer above names is not checked: add its folder to a layer (a renamed folder too)",
      severity: "error",
      from: { path: "^src/", pathNot: placed },
      to: {},
    },
    {
      name: "imports-only-placed-modules",
      comment: "an import of a module of src/ that no layer names: add its folder to a layer",
      severity: "error",
      from: {},
      to: { path: "^src/", pathNot: placed },
    },
    {
      name: "generated-imports-runtime-only",
      comment: "generated code names the runtime's types, never the Client facade, the admin client or the CLI",
      severity: "error",
      from: { path: "^src/gen/" },
      to: { path: ["^src/client/", "^src/admin/", "^src/cli/", "^src/index[.]ts$", "^src/entry[.]ts$"] },
    },
    {
      name: "src-not-codegen",
      comment: "codegen/ is a tool: src/ never imports it, except the CLI's registry for its `gen` command, which loads it on use",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/cli/commands[.]ts$" },
      to: { path: "^codegen/" },
    },
    {
      name: "cli-loads-codegen-on-use",
      comment: "the CLI's `gen` command loads codegen/ with a dynamic import, so other commands do not load it",
      severity: "error",
      from: { path: "^src/cli/commands[.]ts$" },
      to: { path: "^codegen/", dynamic: false },
    },
    {
      name: "codegen-not-protocol-fetch",
      comment: "the generator does not import the script that downloads protocol files",
      severity: "error",
      from: { path: "^codegen/" },
      to: { path: "^protocol/fetch[.]ts$" },
    },
    {
      name: "no-cycles",
      comment:
        "no import cycles, type-only ones included; the only ones allowed are the generated handle pairs of src/gen/friendly, whose classes name each other (Domain <-> DomainSnapshot, Domain <-> DomainCheckpoint, Network <-> NetworkPort, StoragePool <-> StorageVol)",
      severity: "error",
      from: {},
      to: { circular: true, via: { pathNot: handlePairs } },
    },
  ],
  options: {
    // TypeScript 7 has no compiler API for dependency-cruiser's tsc parser;
    // swc parses the .ts files and keeps `import type` (type-only imports
    // count: a type cycle is still a cycle).
    parser: "swc",
    tsPreCompilationDeps: true,
    doNotFollow: { path: "node_modules" },
    includeOnly: "^(src|codegen|protocol)/",
    enhancedResolveOptions: { extensions: [".ts", ".js"] },
    reporterOptions: {
      // `npm run docs:graph`: one box per folder (and per root module of src/), for docs/layers.svg.
      archi: {
        collapsePattern: "^(src/gen/(api|friendly)/|src/gen/|src/[a-z-]+/|codegen/|protocol/)",
      },
    },
  },
};
