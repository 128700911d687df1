// virsh-edit.c's loop as iface-edit runs it: the XML to a temporary file,
// the user's editor on it, and the result defined if it changed. With
// stdin not a terminal virsh asks nothing: a failed define or a change made
// meanwhile by someone else is reported and the loop ends.

import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, renameSync, rmdirSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CommandFailed, type VshContext } from "../vsh.js";

/** vsh.c's ACCEPTED_CHARS: an editor spelled only with these runs without a shell. */
const PLAIN = /^[A-Za-z0-9\-_.:@/]*$/;

/** vshEditWriteToTempFile: $TMPDIR/virshXXXXXX.xml, readable by its owner only. */
function writeTemp(doc: string): string {
  const dir = process.env["TMPDIR"] ?? "/tmp";
  // mkdtemp gives a fresh unique name; the file moves beside it with virsh's shape.
  const scratch = mkdtempSync(join(dir, "virsh"));
  const file = `${scratch}.xml`;
  const inside = join(scratch, "doc.xml");
  writeFileSync(inside, doc, { mode: 0o600 });
  renameSync(inside, file);
  rmdirSync(scratch);
  return file;
}

/** vshEditFile: $VISUAL, else $EDITOR, else vi; a shell only where the editor's words need one. */
function runEditor(file: string): Promise<void> {
  const editor = process.env["VISUAL"] ?? process.env["EDITOR"] ?? "vi";
  if (!PLAIN.test(editor) && !PLAIN.test(file)) {
    throw new CommandFailed([`${file}: temporary filename contains shell meta or other unacceptable characters (is $TMPDIR wrong?)`]);
  }
  const [cmd, args, shown] = PLAIN.test(editor) ? [editor, [file], `${editor} ${file}`] : ["sh", ["-c", `${editor} ${file}`], `sh -c '${editor} ${file}'`];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: "inherit" });
    child.on("error", (e) => reject(new CommandFailed([], { cause: new Error(`Cannot find '${cmd}' in path: ${e.message}`) })));
    child.on("exit", (code, signal) => {
      if (code === 0) resolve();
      else {
        const how = signal === null ? `exit status ${code}` : `fatal signal ${signal}`;
        reject(new CommandFailed([], { cause: new Error(`internal error: Child process (${shown}) unexpected ${how}`) }));
      }
    });
  });
}

/**
 * Edits an object's XML as virsh does. Resolves null when the editor left
 * it unchanged, else the name of the object defined from it.
 */
export async function editXml(ctx: VshContext, getXml: () => Promise<string>, define: (xml: string) => Promise<string>): Promise<string | null> {
  const doc = await getXml();
  const tmp = writeTemp(doc);
  try {
    await runEditor(tmp);
    let edited: string;
    try {
      edited = readFileSync(tmp, "utf8");
    } catch (e) {
      throw new CommandFailed([`${tmp}: failed to read temporary file: ${(e as Error).message}`]);
    }
    if (edited === doc) return null;
    const reread = await getXml();
    // Without a terminal to ask on, virsh reports why and goes on as if it had
    // defined the object: a null handle, whose name printf shows as "(null)".
    if (reread !== doc) {
      ctx.error("The XML configuration was changed by another user.");
      return "(null)";
    }
    return await define(edited).catch(() => {
      ctx.error("Failed.");
      return "(null)";
    });
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      // Already gone: nothing to clean.
    }
  }
}
