/**
 * A one-line progress bar on stderr for volume transfers: bytes, rate and
 * time left. Only on a terminal: piped or redirected output gets nothing
 * extra.
 */
export class Progress {
  private readonly started = Date.now();
  private last = 0;
  private readonly enabled: boolean;

  /** Whether a bar would show at all (stderr is a terminal). */
  static shows(out: NodeJS.WriteStream = process.stderr): boolean {
    return out.isTTY === true;
  }

  constructor(
    private readonly total: number,
    private readonly out: NodeJS.WriteStream = process.stderr,
  ) {
    this.enabled = Progress.shows(out);
  }

  update(done: number, force = false): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (!force && now - this.last < 100) return;
    this.last = now;
    const secs = Math.max((now - this.started) / 1000, 0.001);
    const rate = done / secs;
    const width = 30;
    const frac = this.total > 0 ? Math.min(done / this.total, 1) : 0;
    const bar = "#".repeat(Math.round(frac * width)).padEnd(width, " ");
    const left = rate > 0 && this.total > done ? (this.total - done) / rate : 0;
    this.out.write(`\r[${bar}] ${mib(done)}/${mib(this.total)} MiB  ${mib(rate)} MiB/s  ${clock(left)} left `);
  }

  /** A transfer that failed: the bar's line is ended, so that the error gets a line of its own. */
  abandon(): void {
    if (this.enabled && this.last > 0) this.out.write("\n");
  }

  done(final: number): void {
    if (!this.enabled) return;
    this.update(final, true);
    this.out.write("\n");
  }
}

const mib = (n: number): string => (n / 1048576).toFixed(1);

function clock(s: number): string {
  const t = Math.round(s);
  return `${Math.floor(t / 60)}:${String(t % 60).padStart(2, "0")}`;
}
