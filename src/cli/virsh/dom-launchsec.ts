// virsh-domain.c: a guest's launch security (AMD SEV): domlaunchsecinfo
// and domsetlaunchsecstate.

import { VirTypedParameterType } from "../../gen/libvirt_common.js";
import type { RemoteTypedParam } from "../../gen/remote_protocol.js";
import { VIR_TYPED_PARAM_STRING_OKAY } from "../../gen/friendly/constants.js";
import { CommandFailed, ullOpt, type VirshCommand } from "../vsh.js";
import { DOMAIN } from "./dom-opts.js";
import { lookupDomain, readXmlFile, step, stringReq, typedParamValue } from "./util.js";

/** virFileReadAll with domsetlaunchsecstate's 64 KiB bound: a larger file fails as one too large. */
async function readSecretFile(path: string): Promise<string> {
  const text = await readXmlFile(path);
  if (Buffer.byteLength(text) > 64 * 1024) throw new CommandFailed([`Failed to read file '${path}': Value too large for defined data type`]);
  return text;
}

const string = (field: string, s: string): RemoteTypedParam => ({ field, value: { type: VirTypedParameterType.VIR_TYPED_PARAM_STRING, s } });

export const commands: VirshCommand[] = [
  {
    names: ["domlaunchsecinfo"],
    options: [DOMAIN],
    async run(ctx, opts) {
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!);
      const { params } = await step("Unable to get launch security parameters", () => c.domainGetLaunchSecurityInfo({ dom, flags: VIR_TYPED_PARAM_STRING_OKAY }));
      ctx.print(params.map((p) => `${p.field.padEnd(15)}: ${typedParamValue(p.value)}\n`).join(""));
    },
  },
  {
    names: ["domsetlaunchsecstate"],
    options: [DOMAIN, { name: "secrethdr", type: "string", named: true }, { name: "secret", type: "string", named: true }, { name: "set-address", type: "int" }],
    async run(ctx, opts) {
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!);
      const headerFile = stringReq(opts, "secrethdr");
      const secretFile = stringReq(opts, "secret");
      if (headerFile === undefined || secretFile === undefined) throw new CommandFailed(["Both secret and the secret header are required"]);
      const params = [string("sev-secret-header", await readSecretFile(headerFile)), string("sev-secret", await readSecretFile(secretFile))];
      const address = ullOpt(opts, "set-address");
      if (address !== undefined) params.push({ field: "sev-secret-set-address", value: { type: VirTypedParameterType.VIR_TYPED_PARAM_ULLONG, ul: address } });
      await step("Unable to set launch security state", () => c.domainSetLaunchSecurityState({ dom, params, flags: 0 }));
    },
  },
];
