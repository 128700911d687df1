import { pipeline } from "node:stream/promises";
import { parseArgs } from "node:util";
import { CommandError } from "./command-error.js";
import { connect } from "./connection.js";
import { TargetFile } from "./target-file.js";
import { UsageError, intOption } from "./usage.js";

export const SCREENSHOT_USAGE = `usage: libvirt-remote screenshot [-c URI] DOMAIN [FILE] [--screen N]

Saves a screenshot of the guest's display, as virsh screenshot does; FILE
defaults to DOMAIN-DATE-TIME with the extension of the image's type.`;

const EXTENSIONS: Record<string, string> = { "image/x-portable-pixmap": ".ppm", "image/png": ".png" };

export async function screenshotMain(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      connect: { type: "string", short: "c" },
      screen: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${SCREENSHOT_USAGE}\n`);
    return 0;
  }
  const [name, fileArg] = positionals;
  if (name === undefined || positionals.length > 2) throw new UsageError(SCREENSHOT_USAGE);
  const screen = values.screen === undefined ? 0 : intOption("screen", values.screen, 0, 2 ** 32 - 1);
  const client = await connect(values.connect);
  try {
    const { dom } = await client.domainLookupByName({ name });
    const { mime, stream } = await client.domainScreenshot({ dom, screen, flags: 0 }).catch((e: unknown) => {
      throw new CommandError(`could not take a screenshot of ${name}`, e);
    });
    // Until the pipeline below takes the stream's error, a cut connection must not be an unhandled 'error'.
    stream.on("error", () => {});
    const file = fileArg ?? `${dom.name}-${stamp(new Date())}${EXTENSIONS[mime ?? ""] ?? ""}`;
    // virsh's order: the file is created (or truncated) once the daemon has said yes.
    const target = await TargetFile.open(file).catch((e: unknown) => {
      stream.destroy();
      throw new CommandError(`cannot create file ${file}`, e);
    });
    try {
      await pipeline(stream, target.handle.createWriteStream());
    } catch (e) {
      await target.discard();
      throw new CommandError(`could not receive data from domain '${name}'`, e);
    }
    process.stdout.write(`Screenshot saved to ${file}, with type of ${mime}\n`);
  } finally {
    await client.close();
  }
  return 0;
}

/** virsh's local time stamp: %Y-%m-%d-%H:%M:%S. */
function stamp(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}-${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
