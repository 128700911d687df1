// virsh's edit loop (virsh-edit.c with vsh.c's vshEdit* helpers): the
// document in a temporary file, $VISUAL or $EDITOR on it, and
// back: unchanged, or re-read to catch another writer, then saved; on a
// failure a terminal is asked whether to edit again, anything else gets
// the message and the loop ends as virsh's does.

import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { accessSync, constants as fsConstants, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { CommandFailed, causeLines, type VshContext } from "../vsh.js";
import { rawTerminal } from "../terminal.js";

export interface EditSteps {
  /** The document as it is now (EDIT_GET_XML); throws as the library does. */
  get(): Promise<string>;
  /** Saves the edited document (EDIT_DEFINE); throws where it cannot. */
  save(edited: string): Promise<void>;
  /** EDIT_RELAX: validation can be turned off ('i' at the prompt). */
  relax?: () => void;
}

/** How the loop ended: unchanged, saved, or given up after a message (virsh then goes on as if saved). */
export type EditOutcome = "unchanged" | "saved" | "gave-up";

/** Characters vsh lets through unquoted in $EDITOR and the file name. */
const ACCEPTED = /^[A-Za-z0-9\-/_.:@]*$/;

/** vshEditWriteToTempFile: virshXXXXXX.xml in $TMPDIR (or /tmp), only the user may read it. */
export function writeTempFile(doc: string): string {
  const dir = process.env["TMPDIR"] ?? "/tmp";
  const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  for (;;) {
    const tag = [...randomBytes(6)].map((b) => letters[b % letters.length]).join("");
    const file = join(dir, `virsh${tag}.xml`);
    try {
      writeFileSync(file, doc, { flag: "wx", mode: 0o600 });
      return file;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EEXIST") continue;
      throw new CommandFailed([`g_mkstemp_full: failed to create temporary file: ${(e as Error).message}`]);
    }
  }
}

/** virCommandToString's quoting of one word. */
function shellWord(w: string): string {
  return /^[A-Za-z0-9_\-./:@,+=%]+$/.test(w) ? w : `'${w.replace(/'/g, "'\\''")}'`;
}

function onPath(name: string): string | null {
  for (const dir of (process.env["PATH"] ?? "").split(delimiter)) {
    const p = join(dir === "" ? "." : dir, name);
    try {
      accessSync(p, fsConstants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return null;
}

/** vshEditFile: runs the editor on the file, on our terminal; its failure in libvirt's words. */
export function runEditor(file: string): void {
  // Debian's virsh falls back to sensible-editor, upstream's to vi.
  const editor = process.env["VISUAL"] ?? process.env["EDITOR"] ?? (onPath("sensible-editor") !== null ? "sensible-editor" : "vi");
  let argv: string[];
  if (!ACCEPTED.test(editor)) {
    if (!ACCEPTED.test(file)) throw new CommandFailed([`${file}: temporary filename contains shell meta or other unacceptable characters (is $TMPDIR wrong?)`]);
    argv = ["sh", "-c", `${editor} ${file}`];
  } else {
    argv = [editor, file];
  }
  let program = argv[0]!;
  if (!program.includes("/")) {
    const found = onPath(program);
    if (found === null) throw new CommandFailed([`Cannot find '${program}' in path: No such file or directory`]);
    program = found;
  }
  const shown = argv.map(shellWord).join(" ");
  const r = spawnSync(program, argv.slice(1), { stdio: "inherit" });
  if (r.error !== undefined) {
    // libvirt's child says why it could not run the program, then exits 127.
    process.stderr.write(`libvirt:  error : cannot execute binary ${program}: ${r.error.message.includes("ENOENT") ? "No such file or directory" : "Permission denied"}\n`);
    throw new CommandFailed([`internal error: Child process (${shown}) unexpected exit status 127`]);
  }
  if (r.signal !== null) {
    const n = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGABRT: 6, SIGKILL: 9, SIGSEGV: 11, SIGPIPE: 13, SIGTERM: 15 }[r.signal as string] ?? 0;
    throw new CommandFailed([`internal error: Child process (${shown}) unexpected fatal signal ${n}`]);
  }
  if (r.status !== 0) throw new CommandFailed([`internal error: Child process (${shown}) unexpected exit status ${r.status}`]);
}

/** vshEditReadBackFile. */
export function readBack(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    throw new CommandFailed([`${file}: failed to read temporary file: ${(e as Error).message}`]);
  }
}

/** vshAskReedit: the question, one key in raw mode; -1 (no answer) where stdin is no terminal. */
async function askReedit(ctx: VshContext, msg: string, relax: boolean, failure: unknown): Promise<string | null> {
  if (!process.stdin.isTTY) return null;
  if (failure !== null) for (const line of causeLines(failure)) ctx.error(line);
  const restore = rawTerminal();
  try {
    for (;;) {
      ctx.print(`\r${msg} Try again? ${relax ? "[y,n,i,f,?]" : "[y,n,f,?]"}: `);
      const key = await new Promise<string>((resolve) => {
        process.stdin.once("data", (b: Buffer) => resolve(b.toString("latin1", 0, 1).toLowerCase()));
        process.stdin.resume();
      });
      process.stdin.pause();
      if (key === "?") {
        const lines = ["", "y - yes, start editor again", "n - no, throw away my changes"];
        if (relax) lines.push("i - turn off validation and try to redefine again");
        lines.push("f - force, try to redefine again", "? - print this help");
        ctx.print(lines.map((l) => `${l}\r\n`).join(""));
        continue;
      }
      if (key === "y" || key === "n" || key === "f" || (relax && key === "i")) return key;
    }
  } finally {
    restore();
    ctx.print("\r\n");
  }
}

/**
 * The loop of virsh-edit.c. Throws where virsh's loop ends in failure
 * (the library's error, if any, after it); a 'n' answer ends it as a
 * failure with nothing more said.
 */
export async function editLoop(ctx: VshContext, steps: EditSteps): Promise<EditOutcome> {
  let doc = await steps.get();
  const file = writeTempFile(doc);
  let relaxAvail = steps.relax !== undefined;
  try {
    reedit: for (;;) {
      runEditor(file);
      const edited = readBack(file);
      if (doc === edited) return "unchanged";
      for (;;) {
        let msg: string | null = null;
        let failure: unknown = null;
        const reread = await steps.get();
        if (doc !== reread) {
          msg = "The XML configuration was changed by another user.";
          doc = reread;
        }
        if (msg === null) {
          try {
            await steps.save(edited);
            return "saved";
          } catch (e) {
            msg = "Failed.";
            failure = e;
          }
        }
        const answer = await askReedit(ctx, msg, relaxAvail, failure);
        if (answer === "y") continue reedit;
        if (answer === "f") continue;
        if (answer === "n") throw new CommandFailed([]);
        if (answer === "i" && steps.relax !== undefined) {
          steps.relax();
          relaxAvail = false;
          continue;
        }
        ctx.error(msg);
        return "gave-up";
      }
    }
  } finally {
    try {
      unlinkSync(file);
    } catch {
      // already gone
    }
  }
}
