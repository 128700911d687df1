// What a package user gets besides the API: the examples and the two guides
// (docs/getting-started.md, docs/testing.md) ship in the tarball; the shipped
// example sources and every TypeScript block of the guides type-check,
// strict, against the installed package; and, from the user's project,
// against a throwaway daemon, the shipped example builds run, the getting
// started blocks print what the page says they print, and the testing
// guide's vitest suite and shared-daemon setup pass.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDaemon, type ThrowawayDaemon } from "../../src/testing/daemon.js";
import { codeBlocks, GUIDES, STRICT_FLAGS } from "../docs/guide-blocks.js";
import { installedProject, packInto, root, run, tarballFiles } from "./installed.js";

const EXAMPLES = ["define", "errors", "events", "host", "lifecycle", "list", "screenshot", "timeout"];
/** The port the getting-started page shows in its URIs and outputs. */
const PAGE_PORT = "38919";

let dir = "";
let tarball = "";
let project = "";
let daemon: ThrowawayDaemon | null = null;
/** Where libvirtd is missing the runs are skipped, except in CI, where they fail. */
const noDaemon = !["/usr/sbin/libvirtd", "/usr/local/sbin/libvirtd"].some(existsSync) && process.env["CI"] === undefined;

/** The environment of a process the user starts: none of this run's vitest variables. */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("VITEST") && !["TEST", "NODE_ENV", "FORCE_COLOR"].includes(k)));
  return { ...env, NO_COLOR: "1", ...extra };
}

/** What a failed command printed (tsc and vitest report on stdout). */
function output(f: () => string): string {
  try {
    return f();
  } catch (e) {
    const { stdout, stderr, message } = e as { stdout?: string; stderr?: string; message: string };
    return `${message}\n${stdout ?? ""}${stderr ?? ""}`;
  }
}

/** Each ```ts block of a page with the indented block right after it (what the page says it prints), if any. */
function blocksWithOutput(page: string): { code: string; shown: string | null }[] {
  return [...page.matchAll(/^```ts\n([\s\S]*?)^```\n(?:\n((?: {4}.*\n)+))?/gm)].map((m) => ({
    code: m[1]!,
    shown: m[2] === undefined ? null : m[2].replace(/^ {4}/gm, ""),
  }));
}

/** The page's output as a pattern: `...` stands for anything within a line. */
function shownPattern(shown: string): RegExp {
  const escaped = shown.trimEnd().replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/\\\.\\\.\\\./g, ".*");
  return new RegExp(`^${escaped}$`);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "libvirt-remote-examples-"));
  tarball = packInto(dir);
  project = installedProject(join(dir, "user"), tarball, "module", ["vitest"]);
  if (!noDaemon) daemon = await startDaemon();
}, 120_000);

afterAll(async () => {
  await daemon?.stop();
  if (dir !== "") rmSync(dir, { recursive: true, force: true });
});

describe("the packed package's examples and guides", () => {
  it("ship: the example sources, their README and Python twins, their builds without declarations, both guides", () => {
    const files = tarballFiles(tarball);
    for (const n of EXAMPLES) {
      expect(files).toContain(`examples/${n}.ts`);
      expect(files).toContain(`examples/python/${n}.py`);
      expect(files).toContain(`dist/examples/${n}.js`);
    }
    expect(files).toContain("examples/README.md");
    expect(files.filter((f) => f.startsWith("dist/examples/") && !f.endsWith(".js"))).toEqual([]);
    for (const page of GUIDES) expect(files).toContain(page);
  });

  it("each example says on its second line how to run it, with a file the package ships", () => {
    const installed = join(project, "node_modules/libvirt-remote");
    const files = tarballFiles(tarball);
    for (const n of EXAMPLES) {
      for (const [file, runner] of [[`examples/${n}.ts`, "// Run: node"], [`examples/python/${n}.py`, "# Run: python3"]] as const) {
        const second = readFileSync(join(installed, file), "utf8").split("\n")[1]!;
        expect(second.startsWith(`${runner} node_modules/libvirt-remote/`), `${file}: ${second}`).toBe(true);
        const script = /node_modules\/libvirt-remote\/(\S+)/.exec(second)![1]!;
        expect(files, file).toContain(script);
      }
    }
  });

  it("the shipped example sources and every TypeScript block of the guides compile against the installed package, strict", () => {
    const installed = join(project, "node_modules/libvirt-remote");
    mkdirSync(join(project, "examples"));
    for (const n of EXAMPLES) cpSync(join(installed, `examples/${n}.ts`), join(project, `examples/${n}.ts`));
    mkdirSync(join(project, "guides"));
    let blocks = 0;
    for (const page of GUIDES) {
      codeBlocks(readFileSync(join(installed, page), "utf8")).forEach((code, i) => {
        writeFileSync(join(project, "guides", `${page.replace(/\W+/g, "-")}-${i + 1}.ts`), `${code}\nexport {};\n`);
        blocks++;
      });
    }
    expect(blocks).toBeGreaterThanOrEqual(7);
    // The package's own types, not `any`: if they were, the directive below would be unused (TS2578).
    writeFileSync(
      join(project, "canary.ts"),
      'import { open } from "libvirt-remote";\n// @ts-expect-error hostname() resolves to a string\nexport const n: Promise<number> = open().then((c) => c.hostname());\n',
    );
    const files = [...readdirSync(join(project, "examples")).map((f) => `examples/${f}`), ...readdirSync(join(project, "guides")).map((f) => `guides/${f}`), "canary.ts"];
    expect(files.length).toBe(EXAMPLES.length + blocks + 1);
    expect(output(() => run(join(root, "node_modules/.bin/tsc"), [...STRICT_FLAGS, "--skipLibCheck", ...files], project))).toBe("");
  });

  describe("from the user's project, against a throwaway daemon", () => {
    const node = (args: string[], env: Record<string, string> = {}): string => run(process.execPath, args, project, userEnv(env));
    const shipped = (name: string, ...args: string[]): string => node([`node_modules/libvirt-remote/dist/examples/${name}.js`, daemon!.uris.testTcp, ...args]);

    it.skipIf(noDaemon)("the shipped builds run: list, errors, define", () => {
      expect(shipped("list")).toMatch(/^test: running, \d+ MiB, 2 vCPUs$/m);
      expect(shipped("errors")).toBe("VIR_ERR_NO_DOMAIN from REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME: Domain not found\n");
      const out = shipped("define", "pkg-example");
      expect(out).toMatch(/^defined pkg-example [0-9a-f-]{36}\n<domain type='test'>\n {2}<name>pkg-example<\/name>/);
      expect(out).toMatch(/^undefined pkg-example$/m);
    });

    it.skipIf(noDaemon)("getting started: each block, saved as .mjs and run with LIBVIRT_DEFAULT_URI, prints what the page shows", () => {
      const page = readFileSync(join(project, "node_modules/libvirt-remote/docs/getting-started.md"), "utf8");
      const blocks = blocksWithOutput(page);
      expect(blocks.filter((b) => b.shown !== null).length).toBeGreaterThanOrEqual(4);
      blocks.forEach(({ code, shown }, i) => {
        const file = `getting-started-${i + 1}.mjs`;
        writeFileSync(join(project, file), code);
        const printed = node([file], { LIBVIRT_DEFAULT_URI: daemon!.uris.testTcp }).replaceAll(`:${daemon!.tcpPort}/`, `:${PAGE_PORT}/`);
        if (shown !== null) expect(printed.trimEnd(), file).toMatch(shownPattern(shown));
      });
    });

    it.skipIf(noDaemon)("testing: the guide's vitest suite passes, and its shared-daemon global setup serves two files", () => {
      const blocks = codeBlocks(readFileSync(join(project, "node_modules/libvirt-remote/docs/testing.md"), "utf8"));
      const suite = blocks.find((b) => b.includes("beforeAll"))!;
      const setup = blocks.find((b) => b.includes("project.provide"))!;
      const vitest = join(project, "node_modules/vitest/vitest.mjs");
      const tests = join(project, "tests");
      mkdirSync(tests);
      writeFileSync(join(tests, "libvirt.test.ts"), suite);
      expect(output(() => run(process.execPath, [vitest, "run", "--root", tests], tests, userEnv()))).toMatch(/Tests\s+2 passed \(2\)/);

      const shared = join(project, "shared");
      mkdirSync(shared);
      writeFileSync(join(shared, "libvirt-setup.ts"), setup);
      writeFileSync(join(shared, "vitest.config.mjs"), 'export default { test: { globalSetup: ["./libvirt-setup.ts"] } };\n');
      const test = [
        'import { expect, inject, it } from "vitest";',
        'import { open } from "libvirt-remote";',
        'it("reaches the shared daemon", async () => {',
        '  const conn = await open(inject("libvirtUri"));',
        '  expect((await conn.domain("test")).name).toBe("test");',
        "  await conn.close();",
        "});",
        "",
      ].join("\n");
      for (const f of ["one.test.ts", "two.test.ts"]) writeFileSync(join(shared, f), test);
      expect(output(() => run(process.execPath, [vitest, "run", "--root", shared], shared, userEnv()))).toMatch(/Tests\s+2 passed \(2\)/);
    });
  });
});
