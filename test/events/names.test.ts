import { describe, expect, it } from "vitest";
import { eventNames } from "../../src/events/names.js";
import type { LibvirtEvent } from "../../src/events/types.js";

const dom = { name: "d", uuid: new Uint8Array(16), id: 1 };

describe("eventNames", () => {
  it("names lifecycle events and their details from libvirt-domain.h", () => {
    const e = { family: "domain", event: "lifecycle", data: { dom, event: 3, detail: 2 } } as LibvirtEvent;
    expect(eventNames(e)).toEqual({ event: "VIR_DOMAIN_EVENT_SUSPENDED", detail: "VIR_DOMAIN_EVENT_SUSPENDED_IOERROR" });
  });

  it("names graphics phases and address families", () => {
    const addr = { family: 1, node: "::1", service: "5900" };
    const e = { family: "domain", event: "graphics", data: { dom, phase: 2, local: addr, remote: { ...addr, family: 0 }, authScheme: "none", subject: [] } } as LibvirtEvent;
    expect(eventNames(e)).toEqual({
      phase: "VIR_DOMAIN_EVENT_GRAPHICS_DISCONNECT",
      "local.family": "VIR_DOMAIN_EVENT_GRAPHICS_ADDRESS_IPV6",
      "remote.family": "VIR_DOMAIN_EVENT_GRAPHICS_ADDRESS_IPV4",
    });
  });

  it("names watchdog and io-error actions, and other families' lifecycle events", () => {
    expect(eventNames({ family: "domain", event: "watchdog", data: { dom, action: 1 } } as LibvirtEvent)).toEqual({ action: "VIR_DOMAIN_EVENT_WATCHDOG_PAUSE" });
    expect(eventNames({ family: "domain", event: "io-error", data: { dom, srcPath: "", devAlias: "", action: 2 } } as LibvirtEvent)).toEqual({ action: "VIR_DOMAIN_EVENT_IO_ERROR_REPORT" });
    const net = { name: "n", uuid: new Uint8Array(16) };
    expect(eventNames({ family: "network", event: "lifecycle", data: { net, event: 2, detail: 0 } } as LibvirtEvent)).toEqual({ event: "VIR_NETWORK_EVENT_STARTED" });
  });

  it("leaves out codes the headers do not define", () => {
    expect(eventNames({ family: "domain", event: "lifecycle", data: { dom, event: 99, detail: 0 } } as LibvirtEvent)).toEqual({});
  });
});
