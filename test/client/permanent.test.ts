import { describe, expect, it } from "vitest";
import { AuthError, PolkitError } from "../../src/auth/errors.js";
import { isPermanentFailure } from "../../src/client/permanent.js";
import { VirErrorDomain, VirErrorLevel, VirErrorNumber } from "../../src/gen/virterror.js";
import { AbortError, ConnectError, ConnectionClosedError, LibvirtError, OptionError, ProtocolError, TimeoutError, TransportError, UnsupportedError, UriError } from "../../src/rpc/errors.js";

function daemonError(code: keyof typeof VirErrorNumber, message: string, procedure = "REMOTE_PROC_AUTH_SASL_STEP"): LibvirtError {
  const remote = { code: VirErrorNumber[code], domain: VirErrorDomain.VIR_FROM_RPC, message, level: VirErrorLevel.VIR_ERR_ERROR, dom: null, str1: null, str2: null, str3: null, int1: 0, int2: 0, net: null };
  return new LibvirtError(remote, procedure);
}

describe("isPermanentFailure: which failed reconnect attempts retrying cannot cure", () => {
  it("the daemon's refusals: authentication failed, cancelled or unavailable, access denied; polkit's verdicts but 'could not ask'", () => {
    expect(isPermanentFailure(daemonError("VIR_ERR_AUTH_FAILED", "authentication failed: authentication failed"))).toBe(true);
    expect(isPermanentFailure(daemonError("VIR_ERR_AUTH_CANCELLED", "authentication cancelled"))).toBe(true);
    expect(isPermanentFailure(daemonError("VIR_ERR_AUTH_UNAVAILABLE", "authentication unavailable: no polkit agent available to authenticate action"))).toBe(true);
    expect(isPermanentFailure(daemonError("VIR_ERR_ACCESS_DENIED", "access denied: 'connect' ... 'getattr'", "REMOTE_PROC_CONNECT_OPEN"))).toBe(true);
    expect(isPermanentFailure(new PolkitError(daemonError("VIR_ERR_AUTH_FAILED", "authentication failed: access denied by policy", "REMOTE_PROC_AUTH_POLKIT")))).toBe(true);
    expect(isPermanentFailure(new PolkitError(daemonError("VIR_ERR_AUTH_FAILED", "authentication failed: polkit: cannot connect to the system bus", "REMOTE_PROC_AUTH_POLKIT")))).toBe(false);
    // Anything else the daemon says during the handshake may pass (a driver still starting, an internal error).
    expect(isPermanentFailure(daemonError("VIR_ERR_INTERNAL_ERROR", "internal error", "REMOTE_PROC_CONNECT_OPEN"))).toBe(false);
    expect(isPermanentFailure(daemonError("VIR_ERR_NO_CONNECT", "no connection driver available for foo:///", "REMOTE_PROC_CONNECT_OPEN"))).toBe(false);
  });

  it("this client's own verdicts on authentication, but a security layer damaged on the wire", () => {
    for (const code of ["ERR_AUTH_NO_MECHANISM", "ERR_AUTH_TOO_WEAK", "ERR_AUTH_CREDENTIALS", "ERR_AUTH_SERVER", "ERR_AUTH_UNSUPPORTED", "ERR_AUTH_CONFIG"] as const) {
      expect(isPermanentFailure(new AuthError(code, "x")), code).toBe(true);
    }
    expect(isPermanentFailure(new AuthError("ERR_AUTH_LAYER", "bad MAC"))).toBe(false);
  });

  it("certificates either side rejects, but not a broken TLS handshake", () => {
    for (const code of ["ERR_TLS_CHAIN", "ERR_TLS_HOSTNAME", "ERR_TLS_REJECTED", "ERR_TLS_FILE", "ERR_TLS_KEY", "ERR_TLS_CERT_EXPIRED", "ERR_TLS_CA_CONSTRAINTS"] as const) {
      expect(isPermanentFailure(new TransportError("tls", "x", { code })), code).toBe(true);
    }
    expect(isPermanentFailure(new TransportError("tls", "127.0.0.1:16514 closed the connection during the TLS handshake", { code: "ERR_TLS_HANDSHAKE" }))).toBe(false);
  });

  it("ssh refusing our login or the host's key, but not ssh failing to reach the host or the remote daemon being down", () => {
    const ssh = (stderr: string): TransportError => new TransportError("ssh", "the ssh command failed", { stderr });
    expect(isPermanentFailure(ssh("alice@host: Permission denied (publickey,password).\n"))).toBe(true);
    expect(isPermanentFailure(ssh("Host key verification failed.\n"))).toBe(true);
    expect(isPermanentFailure(ssh("ssh: connect to host h port 22: Connection refused\n"))).toBe(false);
    expect(isPermanentFailure(ssh("nc: unix connect failed: No such file or directory\n"))).toBe(false);
    const libssh = (message: string): TransportError => new TransportError("libssh2", message);
    expect(isPermanentFailure(libssh("SSH authentication as 'alice' to h:22 failed: permission denied; tried agent (server offers publickey): "))).toBe(true);
    expect(isPermanentFailure(libssh("SSH host key verification failed: the key of 'h:22' (SHA256:x) differs from the one stored in 'k' line 1; ..."))).toBe(true);
    expect(isPermanentFailure(libssh("SSH connection to h:22 failed: connect ECONNREFUSED 127.0.0.1:22"))).toBe(false);
  });

  it("what a restarting daemon, a network fault or a slow peer causes is retried", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:16509"), { code: "ECONNREFUSED" });
    expect(isPermanentFailure(new ConnectError("ERR_CONNECT", "127.0.0.1:16509", "unable to connect to server at '127.0.0.1:16509': Connection refused", { cause: refused }))).toBe(false);
    const missing = Object.assign(new Error("connect ENOENT /run/libvirt/libvirt-sock"), { code: "ENOENT" });
    expect(isPermanentFailure(new ConnectError("ERR_CONNECT", "/run/libvirt/libvirt-sock", "Failed to connect socket to '/run/libvirt/libvirt-sock': No such file or directory", { cause: missing }))).toBe(false);
    expect(isPermanentFailure(new ConnectionClosedError("eof", "the connection was closed by the daemon"))).toBe(false);
    expect(isPermanentFailure(new TimeoutError("connecting timed out after 100 ms"))).toBe(false);
    expect(isPermanentFailure(new AbortError("aborted"))).toBe(false);
    expect(isPermanentFailure(new ProtocolError("unknown program"))).toBe(false);
    expect(isPermanentFailure(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }))).toBe(false);
    expect(isPermanentFailure("not even an error")).toBe(false);
  });

  it("what no retry changes: something that is not a libvirt daemon at the address", () => {
    expect(isPermanentFailure(new ConnectError("ERR_NOT_LIBVIRT", "tcp:127.0.0.1:80", "unable to connect to tcp:127.0.0.1:80: this does not look like a libvirt daemon"))).toBe(true);
  });

  it("what no retry changes: a scheme or option this client cannot do", () => {
    expect(isPermanentFailure(new UnsupportedError("no such transport"))).toBe(true);
    expect(isPermanentFailure(new OptionError("bad"))).toBe(true);
    expect(isPermanentFailure(new UriError("bad"))).toBe(true);
  });
});
