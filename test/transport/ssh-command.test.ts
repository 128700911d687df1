import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UriError } from "../../src/rpc/errors.js";
import { COMMON_ENV, passEnv, SSH_ENV } from "../../src/transport/child.js";
import { ExtTransport } from "../../src/transport/ext.js";
import { SshTransport } from "../../src/transport/ssh.js";
import { escapeShell, proxyModeFor, remoteCommand, remoteCommandFor, remoteSocketFor, sshArgv, sshCommandFor } from "../../src/transport/ssh-command.js";
import { parseUri } from "../../src/uri.js";

const run = promisify(execFile);

describe("escapeShell (virBufferEscapeShell)", () => {
  const cases: [string, string][] = [
    ["", "''"],
    ["nc", "nc"],
    ["/usr/bin/nc", "/usr/bin/nc"],
    ["test:///default", "test:///default"],
    ["qemu+ssh://u@h:22/system", "qemu+ssh://u@h:22/system"],
    ["a b", "'a b'"],
    ["it's", "'it'\\''s'"],
    ["x?y=z", "'x?y=z'"],
    ["$HOME", "'$HOME'"],
    ["a%b,c=d", "a%b,c=d"],
  ];
  for (const [input, expected] of cases) it(JSON.stringify(input), () => expect(escapeShell(input)).toBe(expected));
});

describe("remoteCommand (virNetClientSSHHelperCommand)", () => {
  const nc = (bin: string, socket: string): string =>
    `if '${bin}' -q 2>&1 | grep "requires an argument" >/dev/null 2>&1; then ARG=-q0;else ARG=;fi;'${bin}' $ARG -U ${socket}`;
  const base = { netcat: undefined, socket: "/var/run/libvirt/libvirt-sock", driverUri: "qemu:///system", readOnly: false };

  it("netcat", () => {
    expect(remoteCommand({ ...base, proxy: "netcat" })).toBe(`sh -c '${nc("nc", "/var/run/libvirt/libvirt-sock")}'`);
  });

  it("native, read-write and read-only", () => {
    expect(remoteCommand({ ...base, proxy: "native" })).toBe("sh -c 'virt-ssh-helper 'qemu:///system''");
    expect(remoteCommand({ ...base, proxy: "native", readOnly: true })).toBe("sh -c 'virt-ssh-helper -r 'qemu:///system''");
  });

  it("auto: virt-ssh-helper when the remote host has it, else nc", () => {
    expect(remoteCommand({ ...base, proxy: "auto" })).toBe(
      "sh -c 'which virt-ssh-helper 1>/dev/null 2>&1; if test $? = 0; then     virt-ssh-helper 'qemu:///system'; " +
        `else    ${nc("nc", "/var/run/libvirt/libvirt-sock")}; fi'`,
    );
  });

  it("auto with netcat= is netcat; native with netcat= is refused", () => {
    expect(remoteCommand({ ...base, proxy: "auto", netcat: "/bin/nc" })).toBe(`sh -c '${nc("/bin/nc", "/var/run/libvirt/libvirt-sock")}'`);
    expect(() => remoteCommand({ ...base, proxy: "native", netcat: "/bin/nc" })).toThrow(/netcat path not valid with native proxy mode/);
  });

  it("quotes twice (sshd's shell, then sh -c); leaves the socket path as given", () => {
    const cmd = remoteCommand({ ...base, proxy: "netcat", netcat: "/opt/my nc", socket: "/tmp/s x" });
    // escape("/opt/my nc") = '/opt/my nc'; escaped again each ' becomes '\''.
    const twice = "''\\''/opt/my nc'\\'''";
    expect(cmd).toBe(`sh -c '${nc(twice, "/tmp/s x")}'`);
    expect(remoteCommand({ ...base, proxy: "native", driverUri: "test:///default?a=b" })).toBe("sh -c 'virt-ssh-helper '''\\''test:///default?a=b'\\'''''");
  });
});

describe("proxy mode, socket and argv from the URI (remote_driver.c)", () => {
  const env = { XDG_RUNTIME_DIR: "/run/user/1000", HOME: "/home/u" };

  it("socket= means netcat, the user daemon native, else auto; proxy= wins", () => {
    expect(proxyModeFor(parseUri("qemu+ssh://h/system"), 0)).toBe("auto");
    expect(proxyModeFor(parseUri("qemu+ssh://h/system?socket=/s"), 0)).toBe("netcat");
    expect(proxyModeFor(parseUri("qemu+ssh://h/session"), 1000)).toBe("native");
    expect(proxyModeFor(parseUri("qemu+ssh://h/session"), 0)).toBe("auto");
    expect(proxyModeFor(parseUri("test+ssh://h/default"), 1000)).toBe("native");
    // remote_sockets.c remoteGetURIDaemonInfo: the user daemon only for a URI with a path.
    expect(proxyModeFor(parseUri("test+ssh://h"), 1000)).toBe("auto");
    expect(remoteSocketFor(parseUri("test+ssh://h"), false, env, 1000)).toBe("/var/run/libvirt/libvirt-sock");
    expect(proxyModeFor(parseUri("qemu+ssh://h/system?socket=/s&proxy=native"), 0)).toBe("native");
    expect(() => proxyModeFor(parseUri("qemu+ssh://h/system?proxy=socat"), 0)).toThrow(UriError);
  });

  it("names the legacy socket: system (read-only too) or the local user's runtime directory", () => {
    expect(remoteSocketFor(parseUri("qemu+ssh://h/system"), false, env, 0)).toBe("/var/run/libvirt/libvirt-sock");
    expect(remoteSocketFor(parseUri("qemu+ssh://h/system"), true, env, 0)).toBe("/var/run/libvirt/libvirt-sock-ro");
    expect(remoteSocketFor(parseUri("qemu+ssh://h/system?mode=legacy"), false, env, 0)).toBe("/var/run/libvirt/libvirt-sock");
    expect(remoteSocketFor(parseUri("qemu+ssh://h/session"), false, env, 1000)).toBe("/run/user/1000/libvirt/libvirt-sock");
    expect(remoteSocketFor(parseUri("qemu+ssh://h/session"), false, { HOME: "/home/u" }, 1000)).toBe("/home/u/.cache/libvirt/libvirt-sock");
    expect(remoteSocketFor(parseUri("qemu+ssh://h/system?socket=/x/y"), false, env, 0)).toBe("/x/y");
    expect(() => remoteSocketFor(parseUri("qemu+ssh://h/system?mode=direct"), false, env, 0)).toThrow(/Cannot use direct socket mode for ssh transport/);
    expect(() => remoteSocketFor(parseUri("qemu+ssh://h/system?mode=fast"), false, env, 0)).toThrow(UriError);
  });

  it("builds ssh's argv in libvirt's order", () => {
    expect(sshArgv({ host: "h", port: 2222, user: "u", keyfile: "/k", noTty: true, noVerify: true, command: "CMD" })).toEqual([
      "-p", "2222", "-l", "u", "-i", "/k", "-T", "-e", "none", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "--", "h", "CMD",
    ]);
    expect(sshArgv({ host: "h", port: null, user: null, keyfile: undefined, noTty: false, noVerify: false, command: "CMD" })).toEqual([
      "-T", "-e", "none", "--", "h", "CMD",
    ]);
  });

  it("reads URI parameters as libvirt does", () => {
    const { file, args } = sshCommandFor(parseUri("qemu+ssh://h/system?command=/opt/ssh&no_tty=0&no_verify=7"), false, env, 0);
    expect(file).toBe("/opt/ssh");
    expect(args.slice(0, 5)).toEqual(["-T", "-e", "none", "-o", "StrictHostKeyChecking=no"]);
    expect(sshCommandFor(parseUri("qemu+ssh:///system"), false, env, 0).args).toContain("localhost");
    expect(() => sshCommandFor(parseUri("qemu+ssh://h/system?no_tty=yes"), false, env, 0)).toThrow(/Failed to parse value of URI component no_tty/);
    expect(remoteCommandFor(parseUri("qemu+ssh://h/system?name=qemu:///embed"), true, env, 0)).toContain("virt-ssh-helper -r 'qemu:///embed'");
  });
});

/**
 * The strongest check: virsh and this library run the same logging script
 * as `command=` (ssh's replacement, or the ext command) for the same URI,
 * and what the script received, argv and environment, must be identical.
 */
describe.skipIf(!existsSync("/usr/bin/virsh") || !existsSync("/usr/bin/python3"))("argv and environment compared with virsh's", () => {
  let dir: string;
  let fake: string;
  const env: Record<string, string> = {
    PATH: "/usr/local/bin:/usr/bin:/bin",
    HOME: "",
    XDG_RUNTIME_DIR: "",
    SSH_AUTH_SOCK: "/tmp/agent.sock",
    DISPLAY: ":7",
    XAUTHORITY: "/tmp/xauth",
    KRB5CCNAME: "FILE:/tmp/krb",
    TERM: "dumb",
    LOGNAME: "someone",
    TMPDIR: "/tmp",
    NOT_PASSED: "x",
    LANG: "de_DE.UTF-8",
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "libvirt-remote-argv-"));
    await chmod(dir, 0o777);
    env["HOME"] = dir;
    env["XDG_RUNTIME_DIR"] = join(dir, "xdg");
    fake = join(dir, "fake-ssh");
    // Records what it was given, then fails as a broken ssh would.
    const script = [
      "#!/usr/bin/python3",
      "import json, os, sys",
      'with open(os.path.join(os.path.dirname(os.path.abspath(sys.argv[0])), "out.json"), "w") as f:',
      '    json.dump({"argv": sys.argv[1:], "env": dict(os.environ)}, f)',
      "sys.exit(3)",
    ].join("\n");
    await writeFile(fake, `${script}\n`, { mode: 0o755 });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const record = async (): Promise<{ argv: string[]; env: Record<string, string> }> => {
    const out = JSON.parse(await readFile(join(dir, "out.json"), "utf8")) as { argv: string[]; env: Record<string, string> };
    await rm(join(dir, "out.json"));
    return out;
  };

  const viaVirsh = async (uri: string, readOnly: boolean, asNobody = false): Promise<{ argv: string[]; env: Record<string, string> }> => {
    const args = [...(readOnly ? ["-r"] : []), "-c", uri, "list"];
    const [file, argv] = asNobody
      ? ["setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "virsh", ...args]]
      : ["virsh", args];
    await run(file, argv, { env }).catch(() => undefined);
    return record();
  };

  const viaUs = async (transport: SshTransport | ExtTransport): Promise<{ argv: string[]; env: Record<string, string> }> => {
    const stream = await transport.connect();
    stream.resume();
    const err = await new Promise<Error | undefined>((resolve) => {
      stream.once("error", resolve);
      stream.once("close", () => resolve(undefined));
    });
    expect(err?.message).toMatch(/fake-ssh exited with status 3/);
    return record();
  };

  const uris = (): [string, boolean][] => [
    [`test+ssh://127.0.0.1/default?command=${fake}`, false],
    [`test+ssh://127.0.0.1/default?command=${fake}`, true],
    [`qemu+ssh://bob@host.example:2222/system?command=${fake}&keyfile=/k%20k&no_tty=1&no_verify=1`, false],
    [`qemu+ssh://host.example/system?command=${fake}&socket=/tmp/a%20b'c&netcat=/opt/my%20nc`, false],
    [`qemu+ssh://host.example/system?command=${fake}&proxy=native`, true],
    [`qemu+ssh://host.example/system?command=${fake}&proxy=netcat&mode=legacy`, true],
    [`qemu+ssh://host.example/session?command=${fake}&no_tty=0&foo=bar%20baz`, false],
    [`lxc+ssh://[::1]:22/?command=${fake}&proxy=auto&netcat=nc.openbsd`, false],
  ];

  it("+ssh: the same ssh argv and environment, for each proxy mode and parameter", async () => {
    for (const [uri, readOnly] of uris()) {
      const theirs = await viaVirsh(uri, readOnly);
      const ours = await viaUs(new SshTransport(parseUri(uri), { readOnly }, env));
      expect({ uri, readOnly, ...ours }).toEqual({ uri, readOnly, ...theirs });
    }
  });

  it("+ssh as a non-root user: native proxy and the user's socket, as virsh decides", async () => {
    const uri = `test+ssh://h/default?command=${fake}`;
    const theirs = await viaVirsh(uri, false, true);
    expect(theirs.argv.at(-1)).toBe("sh -c 'virt-ssh-helper 'test:///default''");
    expect(sshCommandFor(parseUri(uri), false, env, 65534).args).toEqual(theirs.argv);
    const netcat = `test+ssh://h/default?command=${fake}&proxy=netcat`;
    expect(sshCommandFor(parseUri(netcat), false, env, 65534).args).toEqual((await viaVirsh(netcat, false, true)).argv);
    expect(passEnv([...COMMON_ENV, ...SSH_ENV], env)).toEqual(theirs.env);
  });

  it("+ext: the command alone, with only the common environment", async () => {
    const uri = `test+ext:///default?command=${fake}`;
    const theirs = await viaVirsh(uri, false);
    expect(theirs.argv).toEqual([]);
    expect(await viaUs(new ExtTransport(parseUri(uri), env))).toEqual(theirs);
  });
});
