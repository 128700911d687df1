import { XGenError, type Loc } from "./errors.js";

export type TokenKind = "ident" | "number" | "punct" | "eof";

/** A comment is kept, not skipped: libvirt puts data in them (`@acl: ...`, `insert@1`). */
export interface Comment {
  text: string;
  loc: Loc;
  /** Ends on the line of the token before it: it annotates that token. */
  trailing: boolean;
}

export interface Token {
  kind: TokenKind;
  text: string;
  loc: Loc;
  /** Comments between the previous token and this one. */
  comments: Comment[];
}

const PUNCT = new Set(["{", "}", "(", ")", "[", "]", "<", ">", ";", ",", "=", "*", ":", "-"]);

/**
 * Splits rpcgen-language source into tokens. `%` lines are C passthrough
 * for rpcgen's output and carry nothing for us, so they are dropped.
 */
export function lex(source: string, file: string): Token[] {
  const tokens: Token[] = [];
  let pending: Comment[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  let lastTokenLine = 0;
  const loc = (at: number): Loc => ({ file, line, col: at - lineStart + 1 });

  while (i < source.length) {
    const c = source[i]!;
    if (c === "\n") {
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (c === " " || c === "\t" || c === "\r" || c === "\f" || c === "\v") {
      i++;
      continue;
    }
    if ((c === "%" || c === "#") && source.slice(lineStart, i).trim() === "") {
      if (c === "#") throw new XGenError(loc(i), "C preprocessor directives are not supported; expand them first");
      while (i < source.length && source[i] !== "\n") i++;
      continue;
    }
    if (c === "/" && source[i + 1] === "*") {
      const start = loc(i);
      const close = source.indexOf("*/", i + 2);
      if (close < 0) throw new XGenError(start, "unterminated comment");
      const text = source.slice(i, close + 2);
      pending.push({ text, loc: start, trailing: start.line === lastTokenLine });
      for (let j = i; j < close; j++) {
        if (source[j] === "\n") {
          line++;
          lineStart = j + 1;
        }
      }
      i = close + 2;
      continue;
    }
    if (c === "/" && source[i + 1] === "/") {
      const start = loc(i);
      const eol = source.indexOf("\n", i);
      const end = eol < 0 ? source.length : eol;
      pending.push({ text: source.slice(i, end), loc: start, trailing: start.line === lastTokenLine });
      i = end;
      continue;
    }
    const at = loc(i);
    let text: string;
    let kind: TokenKind;
    if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < source.length && /[A-Za-z0-9_]/.test(source[j]!)) j++;
      text = source.slice(i, j);
      kind = "ident";
    } else if (/[0-9]/.test(c)) {
      let j = i + 1;
      while (j < source.length && /[A-Za-z0-9_]/.test(source[j]!)) j++;
      text = source.slice(i, j);
      kind = "number";
    } else if (PUNCT.has(c)) {
      text = c;
      kind = "punct";
    } else {
      throw new XGenError(at, `unexpected character ${JSON.stringify(c)}`);
    }
    tokens.push({ kind, text, loc: at, comments: pending });
    pending = [];
    lastTokenLine = line;
    i += text.length;
  }
  tokens.push({ kind: "eof", text: "", loc: loc(i), comments: pending });
  return tokens;
}
