/**
 * The names people know a procedure by: the libvirt C function it implements
 * (from libvirt's headers) and the libvirt-python methods that call that
 * function (codegen/python-names.json, read from the bindings by
 * tools/python-names/extract.py). The generated doc comments name both, so
 * the docs' search and an editor's hover find a method by either.
 */
import type { Procedure, Program } from "./model.js";

/** One libvirt C function: its name as the header spells it, and the header. */
export interface CFunction {
  name: string;
  header: string;
}

/** The C functions libvirt's headers declare, by lower-cased name (the protocol's names lose their case: XML, UUID). */
export type CFunctions = ReadonlyMap<string, CFunction>;

/** codegen/python-names.json: each libvirt-python method and the C functions its body calls. */
export interface PythonNames {
  source: string;
  methods: readonly { python: string; c: readonly string[] }[];
}

/** Every `vir*(` declared in the given headers (include/libvirt/*.h, src/libvirt_internal.h). */
export function cFunctions(headers: readonly { path: string; text: string }[]): CFunctions {
  const out = new Map<string, CFunction>();
  for (const h of headers) {
    const text = h.text.replace(/\/\*[\s\S]*?\*\//g, "");
    for (const m of text.matchAll(/\b(vir[A-Z]\w*)\s*\(/g)) {
      const name = m[1]!;
      if (!out.has(name.toLowerCase())) out.set(name.toLowerCase(), { name, header: h.path });
    }
  }
  return out;
}

/**
 * Procedures whose C function libvirt's naming rule does not give: the remote
 * driver implements them under another procedure's name (src/remote/remote_driver.c).
 * The callback variants of event registration serve the same public functions.
 */
const DRIVER_NAMES: Readonly<Record<string, string>> = {
  REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY: "virConnectDomainEventRegisterAny",
  REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY: "virConnectDomainEventDeregisterAny",
};

/** Why a procedure has no C function of its own. */
export const NO_FUNCTION = "No libvirt function of its own: the remote driver sends it while opening the connection (authentication).";

/** The libvirt C function a procedure implements, or null when it has none. */
export function cFunctionOf(program: Program, proc: Procedure, functions: CFunctions): CFunction | null {
  const mapped = DRIVER_NAMES[proc.name];
  if (mapped !== undefined) return functions.get(mapped.toLowerCase()) ?? { name: mapped, header: "" };
  const words = proc.name.replace(/^\w+?_PROC_/, "").split("_").map((w) => w[0]! + w.slice(1).toLowerCase());
  const candidates: string[] = [];
  if (program.name === "admin") {
    candidates.push(`virAdm${words.join("")}`);
  } else if (program.name === "remote") {
    candidates.push(`vir${words.join("")}`);
  } else {
    // virDomainQemuMonitorCommand, virConnectDomainQemuMonitorEventRegister, virDomainLxcOpenNamespace.
    const infix = program.name[0]!.toUpperCase() + program.name.slice(1);
    for (let i = 1; i <= words.length; i++) candidates.push(`vir${[...words.slice(0, i), infix, ...words.slice(i)].join("")}`);
  }
  for (const c of candidates) {
    const found = functions.get(c.toLowerCase());
    if (found !== undefined) return found;
  }
  return null;
}

/** libvirt's API reference page of a public header (none for the internal one). */
export function docPage(header: string): string | null {
  const m = /^include\/libvirt\/(libvirt-[\w-]+)\.h$/.exec(header);
  return m === null ? null : `https://libvirt.org/html/libvirt-${m[1]}.html`;
}

/** The C function's anchor in libvirt's API reference, or null for an internal one. */
export function referenceUrl(fn: CFunction): string | null {
  const page = docPage(fn.header);
  return page === null ? null : `${page}#${fn.name}`;
}

/** What a method is known as outside this library. */
export interface KnownNames {
  c: CFunction | null;
  /** `virDomain.blockInfo`, `libvirt_qemu.qemuMonitorCommand`. */
  python: readonly string[];
}

/** C function and libvirt-python twins of each procedure, of a client-side C function. */
export class NameIndex {
  private readonly byC = new Map<string, string[]>();

  constructor(
    readonly functions: CFunctions,
    readonly python: PythonNames = { source: "", methods: [] },
  ) {
    for (const m of python.methods) {
      for (const c of m.c) {
        const list = this.byC.get(c) ?? [];
        list.push(m.python);
        this.byC.set(c, list);
      }
    }
  }

  /** The libvirt-python methods that call this C function. */
  pythonOf(c: string): readonly string[] {
    return this.byC.get(c) ?? [];
  }

  of(program: Program, proc: Procedure): KnownNames {
    const c = cFunctionOf(program, proc, this.functions);
    return { c, python: c === null ? [] : this.pythonOf(c.name) };
  }

  /** A C function the headers declare (client-side ones too: virDomainGetUUIDString), with its python twins. */
  function(name: string): KnownNames | null {
    const c = this.functions.get(name.toLowerCase());
    return c === undefined ? null : { c, python: this.pythonOf(c.name) };
  }

  /** A handle field's C getters, client-side in libvirt: virDomainGetName, virDomainGetUUIDString and virDomainGetUUID, virInterfaceGetMACString. */
  getters(cls: string, field: string, getter: string): KnownNames[] {
    const tried = new Set([getter, field.replace(/_/g, "")].flatMap((n) => [`vir${cls}Get${n}String`, `vir${cls}Get${n}`].map((c) => c.toLowerCase())));
    return [...tried].map((c) => this.function(c)).filter((n): n is KnownNames => n !== null);
  }

  /** The client-side lookup by UUID string beside a procedure's lookup by UUID (virDomainLookupByUUIDString). */
  byString(looked: KnownNames): KnownNames | null {
    return looked.c === null ? null : this.function(`${looked.c.name}String`);
  }
}

/**
 * One doc-comment sentence naming the C function (linked to libvirt's
 * reference) and the libvirt-python twins; empty when there is neither.
 */
export function knownAs(names: readonly KnownNames[]): string {
  const c = unique(names.flatMap((n) => (n.c === null ? [] : [n.c])), (f) => f.name).map((f) => {
    const url = referenceUrl(f);
    return url === null ? `\`${f.name}\` (not public: ${f.header})` : `{@link ${url} | ${f.name}}`;
  });
  const py = unique(names.flatMap((n) => n.python), (p) => p).map((p) => `\`${p}\``);
  const parts: string[] = [];
  if (c.length > 0) parts.push(`C: ${c.join(", ")}`);
  if (py.length > 0) parts.push(`libvirt-python: ${py.join(", ")}`);
  return parts.length === 0 ? "" : `${parts.join("; ")}.`;
}

function unique<T>(items: readonly T[], key: (t: T) => string): T[] {
  const out = new Map<string, T>();
  for (const t of items) if (!out.has(key(t))) out.set(key(t), t);
  return [...out.values()];
}
