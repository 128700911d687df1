// TypeDoc plugin for `npm run docs`: what makes the reference searchable by
// the names people know and keeps it small.
//
// - Search: TypeDoc's index has member names only; the generated doc comments
//   name each method's C function and libvirt-python twins (codegen/names.ts),
//   and these are added to the index as a field of their own, so searching
//   `virDomainGetBlockInfo` or `XMLDesc` finds `Domain.blockInfo` /
//   `Domain.xmlDesc`. The friendly layer's field weighs more than the exact
//   layer's, so the friendly method comes first.
// - Size (one page costs ~5 KB of TypeDoc's frame whatever it holds): libvirt's
//   ~1000 enum constants (VIR_*) render on their module's page, not one page
//   each; the ~780 argument and reply structs of the .x files (RemoteXxxArgs,
//   RemoteXxxRet, exported as types) are left out, as their fields are the
//   protocol's and show in an editor; ConnectionApi, whose members are all on
//   Connection's page (it extends it), is left out; members a class inherits from Node's
//   streams (documented by Node, linked from the class's hierarchy) are left out.
import { Converter, IndexEvent, KindRouter, ReflectionKind } from "typedoc";

/** Friendly: `C: {@link … | virX}; libvirt-python: \`virY.z\`.`; exact: "Implements `virX`" and "libvirt-python: …". */
const NAME = /\b(?:vir[A-Z]\w*(?:\.\w+)?|libvirt_(?:qemu|lxc)\.\w+)/g;

/** The comment's lines that name C or libvirt-python functions. */
function namesIn(comment) {
  if (comment === undefined) return { names: [], exact: false };
  const text = comment.summary.map((part) => (part.kind === "inline-tag" ? ` ${part.text} ` : part.text)).join("");
  const lines = text.split("\n").filter((l) => /^(C: |libvirt-python: |Implements `)/.test(l.trim()));
  const names = new Set();
  for (const line of lines) {
    for (const [name] of line.matchAll(NAME)) {
      names.add(name);
      // `virDomain.XMLDesc` is also found by `XMLDesc` alone.
      if (name.includes(".")) names.add(name.slice(name.indexOf(".") + 1));
    }
  }
  return { names: [...names], exact: lines.some((l) => l.trim().startsWith("Implements `")) };
}

function commentOf(reflection) {
  return reflection.comment ?? reflection.signatures?.[0]?.comment ?? reflection.getSignature?.comment;
}

/** Members inherited from a declaration outside the project (Node's stream classes). */
function inheritedFromOutside(reflection) {
  const from = reflection.inheritedFrom;
  return from !== undefined && from.reflection === undefined && from.package !== undefined && from.package !== "libvirt-remote";
}

/** libvirt's enum constants (src/gen/friendly/constants.ts) as anchors on their module's page. */
class LibvirtRouter extends KindRouter {
  getPageKind(target) {
    if (target.kindOf?.(ReflectionKind.Variable) && /^VIR_[A-Z0-9_]+$/.test(target.name)) return undefined;
    return super.getPageKind(target);
  }
}

/** The generated protocol modules: src/gen/remote_protocol.ts, virnetprotocol.ts, ... */
const PROTOCOL_FILE = /[/\\]src[/\\]gen[/\\]\w*protocol\.ts$/;

export function load(app) {
  app.renderer.defineRouter("libvirt-remote", LibvirtRouter);

  /** Declarations left out of the pages (the types stay exported). */
  const structs = [];
  app.converter.on(Converter.EVENT_CREATE_DECLARATION, (context, reflection) => {
    if (!reflection.kindOf(ReflectionKind.Interface | ReflectionKind.TypeAlias | ReflectionKind.Class)) return;
    const file = context.getSymbolFromReflection(reflection)?.declarations?.[0]?.getSourceFile().fileName;
    if (file !== undefined && PROTOCOL_FILE.test(file)) structs.push(reflection);
    // The generated base of Connection: every member is on Connection's page already, inherited.
    if (reflection.name === "ConnectionApi") structs.push(reflection);
  });
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    for (const reflection of structs.splice(0)) context.project.removeReflection(reflection);
  });

  app.converter.on(Converter.EVENT_RESOLVE_END, (context) => {
    const project = context.project;
    for (const reflection of project.getReflectionsByKind(ReflectionKind.Property | ReflectionKind.Method | ReflectionKind.Accessor)) {
      if (inheritedFromOutside(reflection)) project.removeReflection(reflection);
    }
  });

  app.renderer.on(IndexEvent.PREPARE_INDEX, (event) => {
    event.searchFieldWeights.libvirtName = 10;
    event.searchFieldWeights.libvirtNameExact = 2;
    event.searchResults.forEach((reflection, i) => {
      const { names, exact } = namesIn(commentOf(reflection));
      if (names.length === 0) return;
      event.searchFields[i] = { ...event.searchFields[i], [exact ? "libvirtNameExact" : "libvirtName"]: names.join(" ") };
    });
  });
}
