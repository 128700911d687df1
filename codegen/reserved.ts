/**
 * Names a generated binding (a parameter, a local) cannot take in module
 * code, which is strict: the reserved words, the strict-mode ones, and
 * `arguments` / `eval`. An emitter appends `_` to a name that is one.
 */
export const JS_RESERVED: ReadonlySet<string> = new Set([
  "arguments", "await", "break", "case", "catch", "class", "const", "continue", "debugger", "default",
  "delete", "do", "else", "enum", "eval", "export", "extends", "false", "finally", "for", "function", "if",
  "implements", "import", "in", "instanceof", "interface", "let", "new", "null", "package", "private",
  "protected", "public", "return", "static", "super", "switch", "this", "throw", "true", "try", "typeof",
  "var", "void", "while", "with", "yield",
]);

/** `name`, or `name_` when it is reserved (or one of the emitter's own `extra` names). */
export function safeIdent(name: string, extra: ReadonlySet<string> = new Set()): string {
  return JS_RESERVED.has(name) || extra.has(name) ? `${name}_` : name;
}
