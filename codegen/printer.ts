/**
 * Builds one generated TypeScript file: lines with indentation, plus the
 * imports the body needs, which are gathered while printing and written on
 * top at the end so no emitter has to know them in advance.
 */
export class Printer {
  private readonly lines: string[] = [];
  private readonly imports = new Map<string, { values: Set<string>; types: Set<string> }>();
  private depth = 0;

  line(text = ""): void {
    this.lines.push(text === "" ? "" : "  ".repeat(this.depth) + text);
  }

  /** Prints `head {`, the body one level in, then `}` + `tail`. */
  block(head: string, body: () => void, tail = ""): void {
    this.line(`${head} {`);
    this.depth++;
    body();
    this.depth--;
    this.line(`}${tail}`);
  }

  /** The body one level in, without braces. */
  indent(body: () => void): void {
    this.depth++;
    body();
    this.depth--;
  }

  /** `try { body } catch (e) { handler }`. */
  tryCatch(body: () => void, handler: () => void): void {
    this.line("try {");
    this.depth++;
    body();
    this.depth--;
    this.line("} catch (e) {");
    this.depth++;
    handler();
    this.depth--;
    this.line("}");
  }

  importValue(name: string, from: string): string {
    this.entry(from).values.add(name);
    return name;
  }

  importType(name: string, from: string): string {
    this.entry(from).types.add(name);
    return name;
  }

  private entry(from: string): { values: Set<string>; types: Set<string> } {
    let e = this.imports.get(from);
    if (e === undefined) {
      e = { values: new Set(), types: new Set() };
      this.imports.set(from, e);
    }
    return e;
  }

  /** The file: header, imports sorted by source and name, body. */
  toString(header: string[]): string {
    const out = [...header, ""];
    for (const from of [...this.imports.keys()].sort()) {
      const e = this.imports.get(from)!;
      const types = [...e.types].filter((t) => !e.values.has(t)).sort();
      const values = [...e.values].sort();
      if (values.length > 0) out.push(`import { ${values.join(", ")} } from "${from}";`);
      if (types.length > 0) out.push(`import type { ${types.join(", ")} } from "${from}";`);
    }
    if (this.imports.size > 0) out.push("");
    while (this.lines.length > 0 && this.lines[this.lines.length - 1] === "") this.lines.pop();
    return `${[...out, ...this.lines].join("\n")}\n`;
  }
}
