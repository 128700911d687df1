// virsh-secret.c: a secret's value: secret-set-value and secret-get-value,
// with GLib's base64 as virsh uses it (a lenient decoder).

import { open } from "node:fs/promises";
import { CommandFailed, exclusive, type VirshCommand, type VshContext } from "../vsh.js";
import { lookupSecret } from "./net-lookup.js";
import { step, stringReq } from "./util.js";

const SECRET = { name: "secret", type: "data", required: true } as const;

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/**
 * g_base64_decode: characters outside the alphabet are skipped, '=' counts
 * as a zero sextet that drops its byte, and an unfinished last quartet is
 * dropped.
 */
export function glibBase64Decode(text: Buffer): Buffer {
  const out: number[] = [];
  let v = 0;
  let i = 0;
  let last0 = 0;
  let last1 = 0;
  for (const c of text) {
    const ch = String.fromCharCode(c);
    const rank = ch === "=" ? 0 : B64.indexOf(ch);
    if (rank < 0 || c > 0x7f) continue;
    last1 = last0;
    last0 = c;
    v = ((v << 6) | rank) & 0xffffff;
    if (++i === 4) {
      out.push(v >> 16);
      if (last1 !== 0x3d) out.push((v >> 8) & 0xff);
      if (last0 !== 0x3d) out.push(v & 0xff);
      i = 0;
    }
  }
  return Buffer.from(out);
}

/** virFileReadAll with the 1024-byte limit virsh gives a secret's file. */
async function readSecretFile(path: string): Promise<Buffer> {
  const words: Record<string, string> = { ENOENT: "No such file or directory", EACCES: "Permission denied", EISDIR: "Is a directory" };
  const why = (e: unknown): string => words[(e as NodeJS.ErrnoException).code ?? ""] ?? String(e);
  const fh = await open(path, "r").catch((e: unknown) => {
    throw new CommandFailed([`Failed to open file '${path}': ${why(e)}`]);
  });
  try {
    const data = await fh.readFile().catch((e: unknown) => {
      throw new CommandFailed([`Failed to read file '${path}': ${why(e)}`]);
    });
    if (data.length > 1024) throw new CommandFailed([`Failed to read file '${path}': Value too large for defined data type`]);
    return data;
  } finally {
    await fh.close();
  }
}

/** getpass(""): one line from stdin, unechoed on a terminal, without its newline. */
async function readPassword(ctx: VshContext): Promise<Buffer> {
  const stdin = process.stdin;
  const tty = stdin.isTTY === true;
  if (tty) stdin.setRawMode(true);
  const bytes: number[] = [];
  try {
    for await (const chunk of stdin) {
      const b = chunk as Buffer;
      const end = b.findIndex((c) => c === 0x0a || (tty && c === 0x0d));
      bytes.push(...(end < 0 ? b : b.subarray(0, end)));
      if (end >= 0) break;
    }
  } finally {
    if (tty) {
      stdin.setRawMode(false);
      ctx.print("\n");
    }
    stdin.pause();
  }
  return Buffer.from(bytes);
}

export const commands: VirshCommand[] = [
  {
    names: ["secret-set-value"],
    options: [SECRET, { name: "file", type: "string", named: true }, { name: "plain", type: "bool" }, { name: "interactive", type: "bool" }, { name: "base64", type: "string" }],
    async run(ctx, opts) {
      exclusive(opts, "file", "base64");
      exclusive(opts, "plain", "base64");
      exclusive(opts, "interactive", "base64");
      exclusive(opts, "interactive", "plain");
      exclusive(opts, "interactive", "file");
      const c = await ctx.client();
      const secret = await lookupSecret(c, stringReq(opts, "secret")!);
      const base64 = stringReq(opts, "base64");
      const file = stringReq(opts, "file");
      let plain = opts.bool("plain");
      let value: Buffer;
      if (base64 !== undefined) {
        // virsh warns and goes on.
        ctx.error("Passing secret value as command-line argument is insecure!");
        value = Buffer.from(base64, "utf8");
      } else if (file !== undefined) {
        value = await readSecretFile(file);
      } else if (opts.bool("interactive")) {
        ctx.print("Enter new value for secret:");
        value = await readPassword(ctx);
        plain = true;
      } else {
        throw new CommandFailed(["Input secret value is missing"]);
      }
      if (!plain) value = glibBase64Decode(value);
      await step("Failed to set secret value", () => c.secretSetValue({ secret, value, flags: 0 }));
      value.fill(0);
      ctx.printExtra("Secret value set\n");
    },
  },
  {
    names: ["secret-get-value"],
    options: [SECRET, { name: "plain", type: "bool" }],
    async run(ctx, opts) {
      const c = await ctx.client();
      const secret = await lookupSecret(c, stringReq(opts, "secret")!);
      const value = Buffer.from((await c.secretGetValue({ secret, flags: 0 })).value);
      if (!opts.bool("plain")) ctx.print(value.toString("base64"));
      else if (Buffer.from(value.toString("utf8"), "utf8").equals(value)) ctx.print(value.toString("utf8"));
      // Bytes that are no UTF-8 cannot pass through a string: straight to stdout, as virsh's fwrite.
      else process.stdout.write(value);
      value.fill(0);
    },
  },
];
