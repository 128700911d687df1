// The pool XML that pool-create-as and pool-define-as write from their
// options (virsh-pool.c's virshBuildPoolXML): the same elements, order and
// indentation, values placed as given (virsh escapes nothing either).

import type { OptDef, Opts } from "../command.js";
import { exclusive } from "../vsh.js";
import { stringReq } from "./util.js";

/** The source and target options, after name and type (VIRSH_COMMON_OPT_POOL_X_AS). */
const SOURCE_OPTIONS = [
  "source-host",
  "source-path",
  "source-dev",
  "source-name",
  "target",
  "source-format",
  "auth-type",
  "auth-username",
  "secret-usage",
  "secret-uuid",
  "adapter-name",
  "adapter-wwnn",
  "adapter-wwpn",
  "adapter-parent",
  "adapter-parent-wwnn",
  "adapter-parent-wwpn",
  "adapter-parent-fabric-wwn",
  "source-protocol-ver",
  "source-initiator",
] as const;

type SourceOption = (typeof SOURCE_OPTIONS)[number];

export const POOL_X_AS_OPTIONS: readonly OptDef[] = [
  { name: "name", type: "data", required: true },
  { name: "type", type: "data", required: true },
  { name: "print-xml", type: "bool" },
  ...SOURCE_OPTIONS.map((name): OptDef => ({ name, type: "string" })),
];

/** The pool's name and its XML, or virsh's error for the options. */
export function buildPoolXml(opts: Opts): { name: string; xml: string } {
  exclusive(opts, "secret-usage", "secret-uuid");
  const name = stringReq(opts, "name")!;
  const type = stringReq(opts, "type")!;
  const v = {} as Record<SourceOption, string | undefined>;
  // Read in virsh's order, so that of two empty values the same one is named.
  const readOrder = [...SOURCE_OPTIONS.slice(0, 4), "source-format", "target", ...SOURCE_OPTIONS.slice(6)] as const;
  for (const o of readOrder) v[o] = stringReq(opts, o);
  const lines: string[] = [`<pool type='${type}'>`, `  <name>${name}</name>`];
  const adapterFc = v["adapter-wwnn"] !== undefined && v["adapter-wwpn"] !== undefined;
  const hasSource =
    [v["source-host"], v["source-path"], v["source-dev"], v["source-initiator"], v["source-format"], v["source-name"], v["adapter-name"]].some((s) => s !== undefined) || adapterFc;
  if (hasSource) {
    const src: string[] = [];
    if (v["source-host"] !== undefined) src.push(`<host name='${v["source-host"]}'/>`);
    if (v["source-path"] !== undefined) src.push(`<dir path='${v["source-path"]}'/>`);
    if (v["source-dev"] !== undefined) src.push(`<device path='${v["source-dev"]}'/>`);
    if (v["source-initiator"] !== undefined) src.push("<initiator>", `  <iqn name='${v["source-initiator"]}'/>`, "</initiator>");
    if (adapterFc) {
      let parent = "";
      if (v["adapter-parent"] !== undefined) parent = ` parent='${v["adapter-parent"]}'`;
      else if (v["adapter-parent-wwnn"] !== undefined && v["adapter-parent-wwpn"] !== undefined) parent = ` parent_wwnn='${v["adapter-parent-wwnn"]}' parent_wwpn='${v["adapter-parent-wwpn"]}'`;
      else if (v["adapter-parent-fabric-wwn"] !== undefined) parent = ` parent_fabric_wwn='${v["adapter-parent-fabric-wwn"]}'`;
      src.push(`<adapter type='fc_host'${parent} wwnn='${v["adapter-wwnn"]!}' wwpn='${v["adapter-wwpn"]!}'/>`);
    } else if (v["adapter-name"] !== undefined) {
      src.push(`<adapter type='scsi_host' name='${v["adapter-name"]}'/>`);
    }
    const secret = v["secret-usage"] !== undefined ? `usage='${v["secret-usage"]}'` : v["secret-uuid"] !== undefined ? `uuid='${v["secret-uuid"]}'` : null;
    if (v["auth-type"] !== undefined && v["auth-username"] !== undefined && secret !== null) {
      src.push(`<auth type='${v["auth-type"]}' username='${v["auth-username"]}'>`, `  <secret ${secret}/>`, "</auth>");
    }
    if (v["source-format"] !== undefined) src.push(`<format type='${v["source-format"]}'/>`);
    if (v["source-name"] !== undefined) src.push(`<name>${v["source-name"]}</name>`);
    if (v["source-protocol-ver"] !== undefined) src.push(`<protocol ver='${v["source-protocol-ver"]}'/>`);
    lines.push("  <source>", ...src.map((l) => `    ${l}`), "  </source>");
  }
  if (v.target !== undefined) lines.push("  <target>", `    <path>${v.target}</path>`, "  </target>");
  lines.push("</pool>");
  return { name, xml: `${lines.join("\n")}\n` };
}
