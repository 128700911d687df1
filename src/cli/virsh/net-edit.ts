// virsh-edit.c's loop, as net-edit and nwfilter-edit run it: the XML to a
// temporary file, $VISUAL or $EDITOR (else vi) on it, and the edited
// document defined again unless it is unchanged. On a terminal a failed
// definition asks what to do; elsewhere virsh says "Failed." and, as
// virsh 9.0 does, still ends as a success naming "(null)".

import { randomInt } from "node:crypto";
import { accessSync, closeSync, constants as fsConstants, openSync, readFileSync, statSync, unlinkSync, writeSync } from "node:fs";
import { constants as osConstants } from "node:os";
import { delimiter, join } from "node:path";
import { spawnSync } from "node:child_process";
import { LibvirtError } from "../../rpc/errors.js";
import { CommandFailed, type VirshCommand, type VshContext } from "../vsh.js";
import { NETWORK } from "./net-life.js";
import { networkOpt } from "./net-lookup.js";
import { VIR_NETWORK_XML_INACTIVE } from "../../gen/friendly/constants.js";

/** What one *-edit command edits. */
export interface EditTarget {
  /** How virsh's messages call it: "Network", "Network filter". */
  kind: string;
  name: string;
  xml(): Promise<string>;
  /** Defines the edited document; the name of what was defined. */
  define(xml: string): Promise<string>;
}

/** Characters virsh lets through to exec without a shell. */
const ACCEPTED = /^[a-zA-Z0-9\-/_.:@]*$/;

/** virBufferEscapeShell: quoted only where the shell would read something into it. */
function shellWord(s: string): string {
  if (s === "") return "''";
  if (!/[\r\t\n !"#$&'()*;<>?[\\\]^`{|}~]/.test(s)) return s;
  return `'${s.replace(/'/g, "'\\''")}'`;
}

/** vshEditWriteToTempFile: $TMPDIR/virshXXXXXX.xml, readable by its owner only. */
function writeTempFile(doc: string): string {
  const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const dir = process.env["TMPDIR"] ?? "/tmp";
  for (;;) {
    const name = join(dir, `virsh${Array.from({ length: 6 }, () => chars[randomInt(chars.length)]).join("")}.xml`);
    let fd: number;
    try {
      fd = openSync(name, "wx", 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EEXIST") continue;
      throw new CommandFailed([`g_mkstemp_full: failed to create temporary file: ${(e as Error).message}`]);
    }
    try {
      writeSync(fd, doc);
    } finally {
      closeSync(fd);
    }
    return name;
  }
}

/** virFindFileInPath for a word without a slash. */
function inPath(word: string): string | null {
  for (const dir of (process.env["PATH"] ?? "").split(delimiter)) {
    const candidate = join(dir === "" ? "." : dir, word);
    try {
      accessSync(candidate, fsConstants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // Not here: the next directory.
    }
  }
  return null;
}

/** vshEditFile: the editor on the file, with the terminal; its failure in virCommand's words. */
function runEditor(file: string): void {
  const editor = process.env["VISUAL"] ?? process.env["EDITOR"] ?? "vi";
  let argv: string[];
  if (!ACCEPTED.test(editor)) {
    if (!ACCEPTED.test(file)) throw new CommandFailed([`${file}: temporary filename contains shell meta or other unacceptable characters (is $TMPDIR wrong?)`]);
    argv = ["sh", "-c", `${editor} ${file}`];
  } else {
    argv = [editor, file];
  }
  const binary = argv[0]!.includes("/") ? argv[0]! : inPath(argv[0]!);
  if (binary === null) throw new CommandFailed([`Cannot find '${argv[0]}' in path: No such file or directory`]);
  const r = spawnSync(binary, argv.slice(1), { stdio: "inherit", argv0: argv[0]! });
  let status = r.status;
  if (r.error !== undefined) {
    // virCommand's child says why exec failed and exits 127 for a missing binary, 126 otherwise.
    const code = (r.error as NodeJS.ErrnoException).code;
    const why = code === "EACCES" ? "Permission denied" : code === "ENOENT" ? "No such file or directory" : r.error.message;
    process.stderr.write(`libvirt:  error : cannot execute binary ${binary}: ${why}\n`);
    status = code === "ENOENT" ? 127 : 126;
  }
  const shown = argv.map(shellWord).join(" ");
  if (r.signal !== null && r.error === undefined) {
    const signo = osConstants.signals[r.signal];
    throw new CommandFailed([`internal error: Child process (${shown}) unexpected fatal signal ${signo}`]);
  }
  if (status !== 0) throw new CommandFailed([`internal error: Child process (${shown}) unexpected exit status ${status}`]);
}

/** One key from a raw terminal. */
function readKey(): Promise<string> {
  return new Promise((resolve) => {
    process.stdin.once("data", (b: Buffer) => {
      process.stdin.pause();
      resolve(b.toString("latin1").charAt(0).toLowerCase());
    });
    process.stdin.resume();
  });
}

/** vshAskReedit: without a terminal there is no one to ask (-1). */
async function askReedit(ctx: VshContext, msg: string, failure: unknown): Promise<string> {
  if (process.stdin.isTTY !== true) return "";
  if (failure instanceof Error) ctx.error(failure.message);
  process.stdin.setRawMode(true);
  let c: string;
  try {
    for (;;) {
      ctx.print(`\r${msg} Try again? [y,n,f,?]: `);
      c = await readKey();
      if (c === "?") {
        // virsh writes "\r\n" to a terminal with output processing off; Node's raw mode keeps it on, so "\n" arrives as "\r\n".
        for (const l of ["", "y - yes, start editor again", "n - no, throw away my changes", "f - force, try to redefine again", "? - print this help"]) ctx.print(`${l}\n`);
        continue;
      }
      if (c === "y" || c === "n" || c === "f") break;
    }
  } finally {
    process.stdin.setRawMode(false);
  }
  ctx.print("\r\n");
  return c;
}

/** The loop; false where virsh's edit fails (its error already raised or printed). */
export async function editXml(ctx: VshContext, target: EditTarget): Promise<boolean> {
  let doc = await target.xml();
  const tmp = writeTempFile(doc);
  try {
    reedit: for (;;) {
      runEditor(tmp);
      let edited: string;
      try {
        edited = readFileSync(tmp, "utf8");
      } catch (e) {
        throw new CommandFailed([`${tmp}: failed to read temporary file: ${(e as Error).message}`]);
      }
      if (edited === doc) {
        ctx.printExtra(`${target.kind} ${target.name} XML configuration not changed.\n`);
        return true;
      }
      for (;;) {
        let msg: string | null = null;
        let failure: unknown;
        let definedName: string | null = null;
        const reread = await target.xml();
        if (reread !== doc) {
          msg = "The XML configuration was changed by another user.";
          doc = reread;
        } else {
          try {
            definedName = await target.define(edited);
          } catch (e) {
            msg = "Failed.";
            failure = e;
          }
        }
        if (msg !== null) {
          const c = await askReedit(ctx, msg, failure);
          if (c === "y") continue reedit;
          if (c === "f") continue;
          if (c === "n") return false;
          ctx.error(msg);
        }
        // virsh names what it defined, which is nothing after "Failed.": glibc prints "(null)".
        ctx.printExtra(`${target.kind} ${definedName ?? "(null)"} XML configuration edited.\n`);
        return true;
      }
    }
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      // Gone already: nothing to clean.
    }
  }
}

export const commands: VirshCommand[] = [
  {
    names: ["net-edit"],
    options: [NETWORK],
    async run(ctx, opts) {
      const c = await ctx.client();
      const { net } = await networkOpt(c, opts);
      return editXml(ctx, {
        kind: "Network",
        name: net.name,
        // virshNetworkGetXMLDesc: the inactive definition, or what a daemon without that flag gives.
        xml: () =>
          c.networkGetXmlDesc({ net, flags: VIR_NETWORK_XML_INACTIVE }).then(
            (r) => r.xml,
            (e: unknown) => {
              if (!(e instanceof LibvirtError && e.code === "VIR_ERR_INVALID_ARG")) throw e;
              return c.networkGetXmlDesc({ net, flags: 0 }).then((r) => r.xml);
            },
          ),
        define: async (xml) => (await c.networkDefineXml({ xml })).net.name,
      });
    },
  },
];
