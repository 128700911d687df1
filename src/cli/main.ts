#!/usr/bin/env node
import { genMain } from "../../codegen/cli.js";

const USAGE = `usage: libvirt-remote <command> [options]

commands:
  gen     regenerate TypeScript from libvirt's .x files (gen --help)`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "gen":
      return genMain(rest);
    case undefined:
    case "-h":
    case "--help":
      process.stdout.write(`${USAGE}\n`);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`libvirt-remote: unknown command '${command}'\n${USAGE}\n`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // One line, no stack: the errors users meet here are about their input.
    process.stderr.write(`libvirt-remote: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
