/** A position in a `.x` file, 1-based. */
export interface Loc {
  file: string;
  line: number;
  col: number;
}

/** Any problem with generator input, reported as `file:line:col: message`. */
export class XGenError extends Error {
  override readonly name = "XGenError";
  readonly loc: Loc;

  constructor(loc: Loc, detail: string) {
    super(`${loc.file}:${loc.line}:${loc.col}: ${detail}`);
    this.loc = loc;
  }
}
