import { describe, expect, it } from "vitest";
import { AuthError } from "../../src/auth/errors.js";
import type { SaslMechanismFactory } from "../../src/auth/sasl/mechanism.js";
import { connect } from "../../src/client/client.js";
import { codecs, remoteProgram, RemoteAuthType } from "../../src/gen/remote_protocol.js";
import { ConnectionClosedError, TimeoutError } from "../../src/rpc/errors.js";
import { MemoryTransport } from "../../src/transport/memory.js";
import { XdrReader } from "../../src/xdr/index.js";
import { FakeDaemon } from "../helpers/fake-daemon.js";

const P = remoteProgram.procedures;
type Script = (d: FakeDaemon, proc: number, index: number) => void;

/** A daemon that answers each call as `script` says (nothing at all if it does not). */
function fake(script: Script): { transport: MemoryTransport; daemons: FakeDaemon[] } {
  const daemons: FakeDaemon[] = [];
  const transport = new MemoryTransport((server) => {
    const d = new FakeDaemon(server);
    daemons.push(d);
    let seen = 0;
    const poll = (): void => {
      void d.receivedCount(seen + 1).then(() => {
        const m = d.received[seen]!;
        script(d, m.header.proc, seen++);
        poll();
      });
    };
    poll();
  });
  return { transport, daemons };
}

const saslList = (d: FakeDaemon, proc: number, mechlist: string): boolean => {
  const m = d.received.at(-1)!;
  if (proc === P.authList.number) d.reply(m.header, codecs.remote_auth_list_ret, { types: [RemoteAuthType.REMOTE_AUTH_SASL] });
  else if (proc === P.authSaslInit.number) d.reply(m.header, codecs.remote_auth_sasl_init_ret, { mechlist });
  else return false;
  return true;
};

async function failure(uri: string, script: Script, options: Parameters<typeof connect>[1] = {}): Promise<{ error: unknown; ms: number; daemons: FakeDaemon[] }> {
  const { transport, daemons } = fake(script);
  const t0 = performance.now();
  const error = await connect(uri, { transport, keepalive: false, ...options }).then(
    (c) => {
      c.destroy();
      return new Error("connected");
    },
    (e: unknown) => e,
  );
  return { error, ms: performance.now() - t0, daemons };
}

const creds = { username: "alice", password: "Negotiate-Pw-93" };

describe("SASL negotiation against a scripted daemon", () => {
  it("a daemon offering only mechanisms this client lacks: ERR_AUTH_NO_MECHANISM naming them", async () => {
    const { error } = await failure("test+tls://example.org/default", (d, proc) => void saslList(d, proc, "GSSAPI,GS2-KRB5"), { auth: creds });
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).code).toBe("ERR_AUTH_NO_MECHANISM");
    expect((error as AuthError).offered).toEqual(["GSSAPI", "GS2-KRB5"]);
    expect((error as Error).message).toMatch(/only SASL mechanisms this client lacks \(GSSAPI, GS2-KRB5; this client has SCRAM-SHA-512/);
  });

  it("on plain TCP, SCRAM alone is too weak (no layer): ERR_AUTH_TOO_WEAK, nothing sent", async () => {
    const { error, daemons } = await failure("test+tcp://example.org/default", (d, proc) => void saslList(d, proc, "SCRAM-SHA-256,PLAIN"), { auth: creds });
    expect((error as AuthError).code).toBe("ERR_AUTH_TOO_WEAK");
    expect((error as Error).message).toMatch(/strength of 56 is required.*SCRAM-SHA-256 \(strength 0\), PLAIN \(sends the password in the clear\)/);
    expect(daemons[0]!.received.map((m) => m.header.proc)).toEqual([P.authList.number, P.authSaslInit.number]);
  });

  it("auth=sasl.MECH the daemon does not list: ERR_AUTH_NO_MECHANISM; an unknown auth= type: ERR_AUTH_UNSUPPORTED", async () => {
    const a = await failure("test+tls://example.org/default?auth=sasl.DIGEST-MD5", (d, proc) => void saslList(d, proc, "SCRAM-SHA-256"), { auth: creds });
    expect((a.error as AuthError).code).toBe("ERR_AUTH_NO_MECHANISM");
    expect((a.error as Error).message).toBe("SASL mechanism DIGEST-MD5 is not offered by the daemon (it offers SCRAM-SHA-256)");
    const b = await failure("test+tls://example.org/default?auth=kerberos", (d, proc) => void saslList(d, proc, "SCRAM-SHA-256"));
    expect((b.error as AuthError).code).toBe("ERR_AUTH_UNSUPPORTED");
    const c = await failure("test+tls://example.org/default?auth=polkit", (d, proc) => void saslList(d, proc, "SCRAM-SHA-256"));
    expect((c.error as Error).message).toMatch(/requested authentication type polkit rejected: the daemon offers REMOTE_AUTH_SASL/);
  });

  it("auth= is read as libvirt's EXTRACT_URI_ARG_STR reads it: any case, the last one wins", async () => {
    const a = await failure("test+tls://example.org/default?auth=sasl.SCRAM-SHA-256&auth=sasl.DIGEST-MD5", (d, proc) => void saslList(d, proc, "SCRAM-SHA-256"), { auth: creds });
    expect((a.error as Error).message).toBe("SASL mechanism DIGEST-MD5 is not offered by the daemon (it offers SCRAM-SHA-256)");
    const b = await failure("test+tls://example.org/default?AUTH=polkit", (d, proc) => void saslList(d, proc, "SCRAM-SHA-256"));
    expect((b.error as Error).message).toMatch(/requested authentication type polkit rejected/);
  });

  it("a daemon that hangs up mid-negotiation: ConnectionClosedError naming the step, at once", async () => {
    const { error, ms } = await failure(
      "test+tls://example.org/default",
      (d, proc) => {
        if (!saslList(d, proc, "SCRAM-SHA-256")) d.stream.end();
      },
      { auth: creds },
    );
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect((error as Error).message).toMatch(/closed the connection during SASL authentication \(at AUTH_SASL_START\)/);
    expect(ms).toBeLessThan(5000);
  });

  it("a daemon that falls silent mid-negotiation: the connect timeout ends it", async () => {
    const { error, ms } = await failure("test+tls://example.org/default", (d, proc) => void saslList(d, proc, "SCRAM-SHA-256"), { auth: creds, connectTimeout: 300 });
    expect(error).toBeInstanceOf(TimeoutError);
    expect(ms).toBeLessThan(5000);
  });

  it("a daemon whose SCRAM signature is wrong is refused (mutual authentication), with no secret in the message", async () => {
    let nonce = "";
    const { error } = await failure(
      "test+tls://example.org/default",
      (d, proc) => {
        if (saslList(d, proc, "SCRAM-SHA-256")) return;
        const m = d.received.at(-1)!;
        if (proc === P.authSaslStart.number) {
          const args = codecs.remote_auth_sasl_start_args.decode(new XdrReader(m.body));
          nonce = Buffer.from(args.data.map((c) => c & 0xff)).toString().split("r=")[1]!;
          const first = `r=${nonce}SERVER,s=${Buffer.from("salt").toString("base64")},i=4096`;
          d.reply(m.header, codecs.remote_auth_sasl_start_ret, { complete: 0, nil: 0, data: [...Buffer.from(first)] });
        } else if (proc === P.authSaslStep.number) {
          d.reply(m.header, codecs.remote_auth_sasl_step_ret, { complete: 1, nil: 0, data: [...Buffer.from(`v=${Buffer.alloc(32).toString("base64")}`)] });
        }
      },
      { auth: creds },
    );
    expect((error as AuthError).code).toBe("ERR_AUTH_SERVER");
    expect((error as Error).message).toMatch(/signature is wrong/);
    expect(`${(error as Error).message}${(error as Error).stack}`).not.toContain(creds.password);
  });

  it("no credentials anywhere: ERR_AUTH_CREDENTIALS saying where they may come from", async () => {
    const { error } = await failure(
      "test+tls://example.org/default?authfile=/nonexistent/auth.conf",
      (d, proc) => void saslList(d, proc, "SCRAM-SHA-256"),
      { auth: { authFile: false } },
    );
    expect((error as AuthError).code).toBe("ERR_AUTH_CREDENTIALS");
    expect((error as Error).message).toMatch(/SASL SCRAM-SHA-256 needs authname, passphrase, and none came from/);
  });

  it("a plug-in mechanism (GSSAPI stand-in) is used when the daemon offers it, ranked above the built-ins", async () => {
    const sent: string[] = [];
    const gssapi: SaslMechanismFactory = {
      name: "GSSAPI",
      rank: 700,
      maxSsf: 56,
      create: () => {
        let done = false;
        return {
          start: () => ({ kind: "continue", response: Uint8Array.of(0x60, 0x82, 0xff) }),
          step: (challenge) => {
            sent.push(Buffer.from(challenge ?? []).toString("hex"));
            done = true;
            return { kind: "complete", response: null };
          },
          layer: () => ({ ssf: done ? 56 : 0, filter: null }),
        };
      },
    };
    let startArgs: { mech: string; nil: number; data: number[] } | null = null;
    const { transport } = fake((d, proc) => {
      if (saslList(d, proc, "SCRAM-SHA-256,GSSAPI")) return;
      const m = d.received.at(-1)!;
      if (proc === P.authSaslStart.number) {
        startArgs = codecs.remote_auth_sasl_start_args.decode(new XdrReader(m.body));
        d.reply(m.header, codecs.remote_auth_sasl_start_ret, { complete: 1, nil: 0, data: [-1, 1] });
      } else if (proc === P.connectOpen.number) d.reply(m.header, null);
    });
    const conn = await connect("test+tcp://example.org/default", { transport, keepalive: false, auth: { mechanisms: [gssapi] } });
    conn.destroy();
    // Bytes above 127 travel as negative XDR chars, both ways.
    expect(startArgs).toEqual({ mech: "GSSAPI", nil: 0, data: [0x60, -126, -1] });
    expect(sent).toEqual(["ff01"]);
  });
});
