/** A position in a `.x` file, 1-based. */
export interface Loc {
  file: string;
  line: number;
  col: number;
}

/** The position of `text[index]`, for sources read with regular expressions rather than the lexer. */
export function locAt(text: string, index: number, file: string): Loc {
  const before = text.slice(0, index);
  const line = before.split("\n").length;
  return { file, line, col: index - before.lastIndexOf("\n") };
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
