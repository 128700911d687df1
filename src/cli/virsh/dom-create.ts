// virsh-domain.c: create, a transient domain started from an XML file
// (and, with --console, its console at once).

import { Opts } from "../command.js";
import { CommandFailed, type VirshCommand } from "../vsh.js";
import { readXmlFile } from "./dom-files.js";
import { bool, nonEmpty } from "./dom-opts.js";
import { step } from "./util.js";
import { VIR_DOMAIN_START_AUTODESTROY, VIR_DOMAIN_START_PAUSED, VIR_DOMAIN_START_RESET_NVRAM, VIR_DOMAIN_START_VALIDATE } from "../../gen/friendly/constants.js";

export const commands: VirshCommand[] = [
  {
    names: ["create"],
    options: [
      { name: "file", type: "data", required: true },
      bool("console"),
      bool("paused"),
      bool("autodestroy"),
      { name: "pass-fds", type: "string" },
      bool("validate"),
      bool("reset-nvram"),
    ],
    async run(ctx, opts) {
      const from = nonEmpty(opts, "file")!;
      const xml = await readXmlFile(from);
      // Passing file descriptors needs a local socket and SCM_RIGHTS, which this client has not.
      if (opts.string("pass-fds") !== undefined) throw new CommandFailed(["--pass-fds is not supported by this virsh"]);
      const flags =
        (opts.bool("paused") ? VIR_DOMAIN_START_PAUSED : 0) |
        (opts.bool("autodestroy") ? VIR_DOMAIN_START_AUTODESTROY : 0) |
        (opts.bool("validate") ? VIR_DOMAIN_START_VALIDATE : 0) |
        (opts.bool("reset-nvram") ? VIR_DOMAIN_START_RESET_NVRAM : 0);
      const c = await ctx.client();
      const { dom } = await step(`Failed to create domain from ${from}`, () => c.domainCreateXml({ xml_desc: xml, flags }));
      ctx.printExtra(`Domain '${dom.name}' created from ${from}\n`);
      if (opts.bool("console")) {
        const { commands: consoleCommands } = await import("../console.js");
        // virsh's console after create: its result does not change create's.
        await consoleCommands[0]!.run(ctx, new Opts(new Map([["domain", [dom.name]]]))).catch(() => undefined);
      }
    },
  },
];
