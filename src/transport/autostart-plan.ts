import { basename, dirname, join } from "node:path";
import { type ConnectionUri, type SocketChoice, uriParam, usesUserDaemon } from "../uri.js";
import type { AutostartOptions } from "./options.js";

/** libvirt's client starts the daemon with `--timeout=120` (virNetSocketForkDaemon), and has no knob for it. */
export const DEFAULT_IDLE_TIMEOUT = 120;
/** How long to wait for a started daemon's socket. libvirt waits 5 s (500 tries, 10 ms apart); a loaded machine needs more. */
export const DEFAULT_AUTOSTART_WAIT = 20_000;

/** Where libvirt looks for the daemon when neither VIRTD_PATH nor LIBVIRTD_PATH is set (its SBINDIR). */
const SBINDIR = "/usr/sbin";

/** What starting a session daemon needs. */
export interface AutostartPlan {
  /** The daemon binary: libvirtd, or virt<driver>d for the modular daemon's socket. */
  daemon: string;
  socket: string;
  /** libvirt's spawn lock beside the socket: `<runtime dir>/<daemon>.lock`. */
  lock: string;
  /** Seconds the daemon stays up with no client (its --timeout). */
  idleTimeout: number;
  /** Milliseconds to wait for its socket. */
  wait: number;
  /** The daemon's environment: what libvirt's client passes on, nothing else. */
  env: NodeJS.ProcessEnv;
}

/**
 * The daemon to start for a URI whose socket is absent, or null when
 * libvirt's client would not start one (remoteGetURIDaemonInfo): only for
 * the per-user daemon (session URIs, `test+`, the empty URI; never as
 * root), over a local Unix socket not named by `socket=`, unless
 * LIBVIRT_AUTOSTART=0 or the `autostart: false` option.
 */
export function autostartPlan(
  uri: ConnectionUri,
  choice: SocketChoice,
  option: boolean | AutostartOptions | undefined,
  env: NodeJS.ProcessEnv = process.env,
  euid = process.geteuid?.() ?? 0,
): AutostartPlan | null {
  if (option === false || env["LIBVIRT_AUTOSTART"] === "0") return null;
  if (uri.transport !== "unix" || uri.host !== null || uriParam(uri, "socket") !== undefined) return null;
  if (!usesUserDaemon(uri, euid)) return null;
  const name = choice.mode === "direct" ? basename(choice.path).replace(/-sock$/, "") : "libvirtd";
  const settings = typeof option === "object" ? option : {};
  return {
    daemon: join(daemonDir(env), name),
    socket: choice.path,
    lock: join(dirname(choice.path), `${name}.lock`),
    idleTimeout: settings.idleTimeout ?? DEFAULT_IDLE_TIMEOUT,
    wait: settings.wait ?? DEFAULT_AUTOSTART_WAIT,
    env: daemonEnv(env),
  };
}

/** VIRTD_PATH (every daemon), else LIBVIRTD_PATH (the older name), else SBINDIR: a folder, as virFileFindResourceFull takes it. */
function daemonDir(env: NodeJS.ProcessEnv): string {
  return env["VIRTD_PATH"] ?? env["LIBVIRTD_PATH"] ?? SBINDIR;
}

/** The variables libvirt's client hands the daemon it starts (virCommandAddEnvPassCommon and the XDG folders). */
const PASSED = ["LD_PRELOAD", "LD_LIBRARY_PATH", "PATH", "HOME", "USER", "LOGNAME", "TMPDIR", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_RUNTIME_DIR"];

function daemonEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { LC_ALL: "C" };
  for (const name of PASSED) if (env[name] !== undefined) out[name] = env[name];
  return out;
}
