// Which payloads the recorder empties, frame by frame: the procedures whose
// fields carry secrets lose exactly those fields, keep their header and
// still decode; every other frame is left alone.
import { describe, expect, it } from "vitest";
import { redactSecrets } from "../../src/recording/redact.js";
import { codecs, remoteProgram, type RemoteTypedParam } from "../../src/gen/remote_protocol.js";
import { decodeInbound, encodeMessage, MessageStatus, MessageType, type Header } from "../../src/rpc/message.js";
import { XdrWriter, type Codec } from "../../src/xdr/index.js";

const p = remoteProgram.procedures;
const dom = { name: "vm", uuid: new Uint8Array(16).fill(7), id: 3 };

function frame<T>(proc: number, type: number, codec: Codec<T>, body: T, status: number = MessageStatus.VIR_NET_OK): Uint8Array {
  const h: Header = { prog: remoteProgram.program, vers: remoteProgram.version, proc, type, serial: 9, status };
  return encodeMessage(new XdrWriter(), h, codec, body);
}
const body = <T>(codec: Codec<T>, f: Uint8Array): T => codec.decode(decodeInbound(f.subarray(4)).body);

describe("redactSecrets", () => {
  it("empties a guest user's new password and keeps the user", () => {
    const c = codecs.remote_domain_set_user_password_args;
    const out = redactSecrets(frame(p.domainSetUserPassword.number, MessageType.VIR_NET_CALL, c, { dom, user: "root", password: "hunter2", flags: 0 }))!;
    expect(out.bytes).toBe(7);
    expect(body(c, out.frame)).toEqual({ dom, user: "root", password: "", flags: 0 });
    expect(decodeInbound(out.frame.subarray(4)).header.serial).toBe(9);
  });

  it("empties only the typed parameters named as secrets of a launch-security state", () => {
    const c = codecs.remote_domain_set_launch_security_state_args;
    const params: RemoteTypedParam[] = [
      { field: "sev-secret-header", value: { type: 7, s: "aGVhZGVy" } },
      { field: "sev-secret", value: { type: 7, s: "c2VjcmV0" } },
      { field: "sev-secret-set-address", value: { type: 4, ul: 4096n } },
    ];
    const out = redactSecrets(frame(p.domainSetLaunchSecurityState.number, MessageType.VIR_NET_CALL, c, { dom, params, flags: 0 }))!;
    expect(out.bytes).toBe(16);
    expect(body(c, out.frame).params).toEqual([
      { field: "sev-secret-header", value: { type: 7, s: "" } },
      { field: "sev-secret", value: { type: 7, s: "" } },
      { field: "sev-secret-set-address", value: { type: 4, ul: 4096n } },
    ]);
  });

  it("empties a secret's value both ways and SASL data both ways", () => {
    const secret = { uuid: new Uint8Array(16), usageType: 0, usageID: "x" };
    const set = redactSecrets(frame(p.secretSetValue.number, MessageType.VIR_NET_CALL, codecs.remote_secret_set_value_args, { secret, value: new Uint8Array([1, 2, 3]), flags: 0 }))!;
    expect(body(codecs.remote_secret_set_value_args, set.frame).value).toEqual(new Uint8Array(0));
    const get = redactSecrets(frame(p.secretGetValue.number, MessageType.VIR_NET_REPLY, codecs.remote_secret_get_value_ret, { value: new Uint8Array([4, 5]) }))!;
    expect([get.bytes, body(codecs.remote_secret_get_value_ret, get.frame).value.length]).toEqual([2, 0]);
    const step = redactSecrets(frame(p.authSaslStep.number, MessageType.VIR_NET_REPLY, codecs.remote_auth_sasl_step_ret, { complete: 0, nil: 0, data: [1, 2, 3, 4] }))!;
    expect([step.bytes, body(codecs.remote_auth_sasl_step_ret, step.frame).data]).toEqual([4, []]);
  });

  it("leaves alone the call side of a read, error replies and every other procedure", () => {
    const secret = { uuid: new Uint8Array(16), usageType: 0, usageID: "x" };
    expect(redactSecrets(frame(p.secretGetValue.number, MessageType.VIR_NET_CALL, codecs.remote_secret_get_value_args, { secret, flags: 0 }))).toBeNull();
    expect(redactSecrets(frame(p.domainGetXmlDesc.number, MessageType.VIR_NET_CALL, codecs.remote_domain_get_xml_desc_args, { dom, flags: 1 }))).toBeNull();
    const error = frame(p.secretSetValue.number, MessageType.VIR_NET_REPLY, codecs.remote_secret_get_value_ret, { value: new Uint8Array(0) }, MessageStatus.VIR_NET_ERROR);
    expect(redactSecrets(error)).toBeNull();
  });
});
