// virsh-domain.c: a domain's XML and descriptive data changed in place:
// edit, desc, metadata.

import { rmSync } from "node:fs";
import type { Client } from "../../client/client.js";
import type { RemoteNonnullDomain } from "../../gen/remote_protocol.js";
import { LibvirtError } from "../../rpc/errors.js";
import type { OptDef } from "../command.js";
import { CommandFailed, exclusive, type VirshCommand } from "../vsh.js";
import { editLoop, readBack, runEditor, writeTempFile } from "./dom-editor.js";
import { child, parseXml, textOf } from "./dom-xml.js";
import { lookupDomain, step } from "./util.js";
import {
  VIR_DOMAIN_AFFECT_CONFIG,
  VIR_DOMAIN_AFFECT_CURRENT,
  VIR_DOMAIN_AFFECT_LIVE,
  VIR_DOMAIN_DEFINE_VALIDATE,
  VIR_DOMAIN_METADATA_DESCRIPTION,
  VIR_DOMAIN_METADATA_ELEMENT,
  VIR_DOMAIN_METADATA_TITLE,
  VIR_DOMAIN_XML_INACTIVE,
  VIR_DOMAIN_XML_SECURE,
} from "../../gen/friendly/constants.js";

const DOMAIN: OptDef = { name: "domain", type: "data", required: true };
const bool = (name: string): OptDef => ({ name, type: "bool" });
const SCOPE: OptDef[] = [bool("live"), bool("config"), bool("current")];

/** --live/--config/--current as virsh reads them for a change: current excludes the others. */
function affectFlags(opts: Parameters<VirshCommand["run"]>[1]): number {
  exclusive(opts, "current", "live");
  exclusive(opts, "current", "config");
  return VIR_DOMAIN_AFFECT_CURRENT | (opts.bool("config") ? VIR_DOMAIN_AFFECT_CONFIG : 0) | (opts.bool("live") ? VIR_DOMAIN_AFFECT_LIVE : 0);
}

/** virshDomainDefine: with flags where asked; a daemon that lacks them defines without validation. */
async function defineDomain(c: Client, xml: string, flags: number): Promise<RemoteNonnullDomain> {
  if (flags === 0) return (await c.domainDefineXml({ xml })).dom;
  try {
    return (await c.domainDefineXmlFlags({ xml, flags })).dom;
  } catch (e) {
    if (e instanceof LibvirtError && e.code === "VIR_ERR_NO_SUPPORT" && flags === VIR_DOMAIN_DEFINE_VALIDATE) return (await c.domainDefineXml({ xml })).dom;
    throw e;
  }
}

/** virshGetDomainDescription: the title or description; "" where there is none; from the XML where the daemon lacks the call. */
async function description(c: Client, dom: RemoteNonnullDomain, title: boolean, flags: number): Promise<string> {
  try {
    return (await c.domainGetMetadata({ dom, type: title ? VIR_DOMAIN_METADATA_TITLE : VIR_DOMAIN_METADATA_DESCRIPTION, uri: null, flags })).metadata;
  } catch (e) {
    if (!(e instanceof LibvirtError)) throw e;
    if (e.code === "VIR_ERR_NO_DOMAIN_METADATA") return "";
    if (e.code !== "VIR_ERR_NO_SUPPORT") throw e;
  }
  const root = parseXml((await c.domainGetXmlDesc({ dom, flags })).xml);
  return textOf(child(root, title ? "title" : "description"));
}

export const commands: VirshCommand[] = [
  {
    names: ["edit"],
    options: [DOMAIN, bool("skip-validate")],
    async run(ctx, opts) {
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!);
      let defineFlags = opts.bool("skip-validate") ? 0 : VIR_DOMAIN_DEFINE_VALIDATE;
      let edited: RemoteNonnullDomain | null = null;
      const outcome = await editLoop(ctx, {
        get: async () => (await c.domainGetXmlDesc({ dom, flags: VIR_DOMAIN_XML_SECURE | VIR_DOMAIN_XML_INACTIVE })).xml,
        save: async (xml) => void (edited = await defineDomain(c, xml, defineFlags)),
        relax: () => void (defineFlags &= ~VIR_DOMAIN_DEFINE_VALIDATE),
      });
      if (outcome === "unchanged") {
        ctx.printExtra(`Domain '${dom.name}' XML configuration not changed.\n`);
        return;
      }
      // After a failure virsh goes on as if the define had worked, with no domain to name.
      ctx.printExtra(`Domain '${edited === null ? "(null)" : (edited as RemoteNonnullDomain).name}' XML configuration edited.\n`);
    },
  },
  {
    names: ["desc"],
    options: [DOMAIN, ...SCOPE, bool("title"), bool("edit"), { name: "new-desc", type: "argv" }],
    async run(ctx, opts) {
      const flags = affectFlags(opts);
      const queryFlags = opts.bool("config") ? VIR_DOMAIN_XML_INACTIVE : 0;
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!);
      await c.domainGetState({ dom, flags: 0 });
      const title = opts.bool("title");
      const edit = opts.bool("edit");
      const words = opts.argv("new-desc");
      let given: string | null = words.length > 0 ? words.join(" ").replace(/ +$/, "") : null;
      if (!edit && given === null) {
        const desc = await description(c, dom, title, queryFlags);
        if (desc.length > 0) ctx.print(desc);
        else ctx.printExtra(title ? `No title for domain: ${dom.name}` : `No description for domain: ${dom.name}`);
        return;
      }
      const current = await description(c, dom, title, queryFlags);
      given ??= current;
      let next = given;
      if (edit) {
        const file = writeTempFile(given);
        try {
          runEditor(file);
          next = readBack(file);
        } finally {
          rmSync(file, { force: true });
        }
        // One newline at the end of a title is the editor's, not the title's.
        if (title && next.endsWith("\n")) next = next.slice(0, -1);
        if (current === next) {
          ctx.printExtra(title ? "Domain title not changed\n" : "Domain description not changed\n");
          return;
        }
      }
      const type = title ? VIR_DOMAIN_METADATA_TITLE : VIR_DOMAIN_METADATA_DESCRIPTION;
      await step(title ? "Failed to set new domain title" : "Failed to set new domain description", () =>
        c.domainSetMetadata({ dom, type, metadata: next, key: null, uri: null, flags }),
      );
      ctx.printExtra(title ? "Domain title updated successfully" : "Domain description updated successfully");
    },
  },
  {
    names: ["metadata"],
    options: [
      DOMAIN,
      { name: "uri", type: "data", required: true },
      ...SCOPE,
      bool("edit"),
      { name: "key", type: "string" },
      { name: "set", type: "string" },
      bool("remove"),
    ],
    async run(ctx, opts) {
      const flags = affectFlags(opts);
      exclusive(opts, "edit", "set");
      exclusive(opts, "remove", "set");
      exclusive(opts, "remove", "edit");
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!);
      const uri = nonEmpty(opts, "uri")!;
      const key = nonEmpty(opts, "key");
      const set = nonEmpty(opts, "set");
      const edit = opts.bool("edit");
      const remove = opts.bool("remove");
      if ((set !== undefined || edit) && key === undefined) throw new CommandFailed(["namespace key is required when modifying metadata"]);
      const type = VIR_DOMAIN_METADATA_ELEMENT;
      if (set !== undefined || remove) {
        await c.domainSetMetadata({ dom, type, metadata: set ?? null, key: key ?? null, uri, flags });
        ctx.printExtra(remove ? "Metadata removed\n" : "Metadata modified\n");
      } else if (edit) {
        const outcome = await editLoop(ctx, {
          // Where there is none yet, the editor starts from an empty line.
          get: () => c.domainGetMetadata({ dom, type, uri, flags }).then((r) => r.metadata, () => "\n"),
          save: async (doc) => void (await c.domainSetMetadata({ dom, type, metadata: doc, key: key ?? null, uri, flags })),
        });
        if (outcome === "unchanged") {
          ctx.printExtra("Metadata not changed");
          return;
        }
        ctx.printExtra("Metadata modified\n");
      } else {
        const { metadata } = await c.domainGetMetadata({ dom, type, uri, flags });
        ctx.print(`${metadata}\n`);
      }
    },
  },
];

/** vshCommandOptStringReq: an option given empty is an error. */
function nonEmpty(opts: Parameters<VirshCommand["run"]>[1], name: string): string | undefined {
  const v = opts.string(name);
  if (v === "") throw new CommandFailed([`Failed to get option '${name}': Option argument is empty`]);
  return v;
}
