// virsh screenshot (tools/virsh-domain.c, cmdScreenshot): the guest's
// display saved to a file, named DOMAIN-DATE-TIME with the image type's
// extension unless given; virsh's order, messages and output.

import { pipeline } from "node:stream/promises";
import { TargetFile } from "./target-file.js";
import { lookupDomain, step } from "./virsh/util.js";
import { CommandFailed, uintOpt, type VirshCommand } from "./vsh.js";

const EXTENSIONS: Record<string, string> = { "image/x-portable-pixmap": ".ppm", "image/png": ".png" };

const screenshot: VirshCommand = {
  names: ["screenshot"],
  options: [
    { name: "domain", type: "data", required: true },
    { name: "file", type: "string" },
    { name: "screen", type: "int" },
  ],
  async run(ctx, opts) {
    const screen = uintOpt(opts, "screen") ?? 0;
    const client = await ctx.client();
    const name = opts.string("domain")!;
    const dom = await lookupDomain(client, name);
    const { mime, stream } = await step(`could not take a screenshot of ${name}`, () => client.domainScreenshot({ dom, screen, flags: 0 }));
    // Until the pipeline below takes the stream's error, a cut connection must not be an unhandled 'error'.
    stream.on("error", () => {});
    const file = opts.string("file") ?? `${dom.name}-${stamp(new Date())}${EXTENSIONS[mime ?? ""] ?? ""}`;
    // virsh's order: the file is created (or truncated) once the daemon has said yes.
    const target = await TargetFile.open(file).catch((e: unknown) => {
      stream.destroy();
      throw new CommandFailed([`cannot create file ${file}`], { cause: e });
    });
    try {
      await pipeline(stream, target.handle.createWriteStream());
    } catch (e) {
      await target.discard();
      throw new CommandFailed([`could not receive data from domain '${name}'`], { cause: e });
    }
    // No newline of its own: the one after every command ends the line.
    ctx.printExtra(`Screenshot saved to ${file}, with type of ${mime}`);
  },
};

export const commands: readonly VirshCommand[] = [screenshot];

/** virsh's local time stamp: %Y-%m-%d-%H:%M:%S. */
function stamp(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}-${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
