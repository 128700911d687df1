import { ConnectError } from "../errors.js";

/** Why starting the session daemon failed. */
export type AutostartFailure = "no-daemon" | "exited" | "not-ready";

/**
 * A session URI's socket was absent and its daemon could not be started:
 * there is no daemon binary (`no-daemon`), the started daemon exited
 * (`exited`), or its socket did not answer in time (`not-ready`). The
 * connect error that started it all is the `cause`. A ConnectError
 * (`ERR_CONNECT`, `address` the socket): no daemon answered.
 */
export class AutostartError extends ConnectError {
  override name = "AutostartError";
  readonly reason: AutostartFailure;
  /** The daemon binary that was (to be) started. */
  readonly daemon: string;
  constructor(reason: AutostartFailure, daemon: string, socket: string, message: string, options?: ErrorOptions) {
    super("ERR_CONNECT", socket, message, options);
    this.reason = reason;
    this.daemon = daemon;
  }
}
