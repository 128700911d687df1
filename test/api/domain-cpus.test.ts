// The generator leaves the CPU-map procedures to the hand-written base class (HAND_WRITTEN in codegen/friendly-model.ts).
import { expect, it } from "vitest";
import { DomainCpus } from "../../src/api/domain-cpus.js";
import { Domain } from "../../src/gen/friendly/domain.js";

it("Domain extends DomainCpus and generates none of its methods, so none shadows the hand-written ones", () => {
  expect(Object.getPrototypeOf(Domain.prototype)).toBe(DomainCpus.prototype);
  const handWritten = Object.getOwnPropertyNames(DomainCpus.prototype).filter((n) => n !== "constructor" && n !== "hostCpus");
  expect(handWritten.sort()).toEqual(["emulatorPinInfo", "iothreadInfo", "pinEmulator", "pinIothread", "pinVcpu", "vcpuPinInfo", "vcpus"]);
  const generated = new Set(Object.getOwnPropertyNames(Domain.prototype));
  expect(handWritten.filter((n) => generated.has(n))).toEqual([]);
});
