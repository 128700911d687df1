// virsh-domain.c: domain XML to and from a hypervisor's native
// configuration (QEMU's argv): domxml-from-native, domxml-to-native.

import { CommandFailed, exclusive, type VirshCommand } from "../vsh.js";
import { lookupDomain, readXmlFile, stringReq } from "./util.js";

const FORMAT = { name: "format", type: "data", required: true } as const;

export const commands: VirshCommand[] = [
  {
    names: ["domxml-from-native"],
    options: [FORMAT, { name: "config", type: "data", required: true }],
    async run(ctx, opts) {
      const nativeFormat = stringReq(opts, "format")!;
      const file = stringReq(opts, "config")!;
      const c = await ctx.client();
      const nativeConfig = await readXmlFile(file);
      const { domainXml } = await c.connectDomainXmlFromNative({ nativeFormat, nativeConfig, flags: 0 });
      ctx.print(domainXml);
    },
  },
  {
    names: ["domxml-to-native"],
    options: [FORMAT, { name: "domain", type: "string", named: true }, { name: "xml", type: "string" }],
    async run(ctx, opts) {
      const nativeFormat = stringReq(opts, "format")!;
      const file = stringReq(opts, "xml");
      exclusive(opts, "domain", "xml");
      const c = await ctx.client();
      let domainXml: string;
      if (opts.bool("domain")) {
        const dom = await lookupDomain(c, opts.string("domain")!);
        domainXml = (
          await c.domainGetXmlDesc({ dom, flags: 0 }).catch((e: unknown) => {
            throw new CommandFailed(["failed to retrieve XML"], { cause: e });
          })
        ).xml;
      } else if (file !== undefined) domainXml = await readXmlFile(file);
      else throw new CommandFailed(["need either domain or domain XML"]);
      const { nativeConfig } = await c.connectDomainXmlToNative({ nativeFormat, domainXml, flags: 0 });
      ctx.print(nativeConfig);
    },
  },
];
