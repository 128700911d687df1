// Differential cases of src/cli/virsh/table-network.ts's commands.
//
// The test driver has the network "default" (active, NAT, virbr0) and no
// network filter, binding or secret support. QEMU's session daemon keeps
// networks, ports and secrets but cannot create a bridge: a network that
// forwards to an existing bridge (mode='bridge') starts there and takes
// ports, one that needs its own bridge fails to start; it refuses network
// filters and bindings in session mode. The editor itself (net-edit,
// nwfilter-edit with $EDITOR) is run by test/cli/virsh-network.test.ts.

import type { CaseGroup } from "../case.js";

const test = ["test"] as const;
const qemu = ["qemu"] as const;

/** The test driver's built-in "default" network. */
const DEFAULT_UUID = "dd8fe884-6c02-601e-7551-cca97df1c5df";
const PORT_UUID = "9d2e3f40-5a6b-4c7d-8e9f-a0b1c2d3e4f5";
const SECRET_UUID = "7a3c1e44-5b2d-4f6e-8a9b-0c1d2e3f4a5b";
const HOST = "<host mac='52:54:00:00:00:01' name='h1' ip='192.168.122.10'/>";

const files = {
  "nat.xml":
    "<network>\n  <name>nd-nat</name>\n  <uuid>4c1d2ab7-3c2f-4a63-9a59-0a4fa5f2e111</uuid>\n  <bridge name='ndbr1'/>\n" +
    "  <ip address='192.168.150.1' netmask='255.255.255.0'>\n    <dhcp>\n      <range start='192.168.150.2' end='192.168.150.254'/>\n    </dhcp>\n  </ip>\n</network>\n",
  "bridged.xml": "<network>\n  <name>nd-br</name>\n  <uuid>4c1d2ab7-3c2f-4a63-9a59-0a4fa5f2e222</uuid>\n  <forward mode='bridge'/>\n  <bridge name='ndbr2'/>\n</network>\n",
  "bad.xml": "<network><name>nd-bad",
  "host.xml": `${HOST}\n`,
  "port.xml":
    `<networkport>\n  <uuid>${PORT_UUID}</uuid>\n  <owner>\n    <name>nd-guest</name>\n    <uuid>6c1b9a3f-2d4e-4f60-8b9c-8d7e6f5a4b32</uuid>\n  </owner>\n` +
    "  <mac address='52:54:00:7e:5d:02'/>\n</networkport>\n",
  "filter.xml": "<filter name='nd-filter' chain='root'>\n  <rule action='accept' direction='out' priority='500'>\n    <all/>\n  </rule>\n</filter>\n",
  "binding.xml":
    "<filterbinding>\n  <owner>\n    <name>nd-guest</name>\n    <uuid>6c1b9a3f-2d4e-4f60-8b9c-8d7e6f5a4b32</uuid>\n  </owner>\n" +
    "  <portdev name='nd-vnet0'/>\n  <mac address='52:54:00:7e:5d:01'/>\n  <filterref filter='nd-filter'/>\n</filterbinding>\n",
  "secret.xml": `<secret ephemeral='no' private='no'>\n  <uuid>${SECRET_UUID}</uuid>\n  <usage type='ceph'>\n    <name>nd-ceph</name>\n  </usage>\n</secret>\n`,
  "value.b64": "c2VjcmV0\n",
};

const networking: CaseGroup = {
  group: "Networking",
  commands: [
    "net-autostart",
    "net-create",
    "net-define",
    "net-destroy",
    "net-dhcp-leases",
    "net-dumpxml",
    "net-edit",
    "net-event",
    "net-info",
    "net-name",
    "net-start",
    "net-undefine",
    "net-update",
    "net-uuid",
    "net-port-list",
    "net-port-create",
    "net-port-dumpxml",
    "net-port-delete",
  ],
  files,
  setup: { qemu: [["net-define", "{dir}/bridged.xml"], ["net-start", "nd-br"]] },
  teardown: { qemu: [["net-destroy", "nd-br"], ["net-undefine", "nd-br"]] },
  cases: [
    // net-info, net-uuid, net-name, net-dumpxml
    { args: ["net-info", "default"], on: test },
    { args: ["net-info", DEFAULT_UUID], on: test },
    { args: ["net-info", "nd-br"], on: qemu },
    { args: ["net-info", "nope"] },
    { args: ["net-uuid", "default"], on: test },
    { args: ["net-uuid", DEFAULT_UUID], on: test },
    { args: ["net-name", DEFAULT_UUID], on: test },
    { args: ["net-name", "default"], on: test },
    { args: ["net-name", "dd8fe884-6c02-601e-7551-cca97df1c5dz"], on: qemu },
    { args: ["net-dumpxml", "default"], on: test },
    { args: ["net-dumpxml", "nd-br", "--inactive"], on: qemu },
    { args: ["net-dumpxml", ""], on: qemu },
    { args: ["net-dumpxml", "default", "--xpath", "//ip/@address | //range"], on: test },
    { args: ["net-dumpxml", "default", "--xpath", "//dhcp/range/@*", "--wrap"], on: test },
    { args: ["net-dumpxml", "default", "--xpath", "count(//ip)"], on: test },
    { args: ["net-dumpxml", "default", "--xpath", ""], on: test },
    // net-dhcp-leases: the test driver has none to give; a bridged network has no DHCP server.
    { args: ["net-dhcp-leases", "default"], on: test },
    { args: ["net-dhcp-leases", "nd-br", "--mac", "52:54:00:00:00:01"], on: qemu },
    { args: ["net-dhcp-leases", "default", "--mac", ""], on: test },
    // net-define, net-create, net-start, net-destroy, net-undefine
    { args: ["net-define", "{dir}/nat.xml"], after: [["net-undefine", "nd-nat"]] },
    { args: ["net-define", "{dir}/bad.xml"] },
    { args: ["net-define", "--validate", "{dir}/nope.xml"], on: test },
    { args: ["net-create", "{dir}/nat.xml"], on: test, after: [["net-destroy", "nd-nat"]] },
    { args: ["net-create", "--validate", "{dir}/nat.xml"], on: qemu },
    { args: ["net-start", "nd-nat"], on: test, before: [["net-define", "{dir}/nat.xml"]], after: [["net-destroy", "nd-nat"], ["net-undefine", "nd-nat"]] },
    { args: ["net-start", "nd-nat"], on: qemu, before: [["net-define", "{dir}/nat.xml"]], after: [["net-undefine", "nd-nat"]] },
    { args: ["net-start", "default"], on: test },
    { args: ["net-destroy", "nd-nat"], on: test, before: [["net-create", "{dir}/nat.xml"]] },
    { args: ["net-destroy", "nd-br"], on: qemu, after: [["net-start", "nd-br"]] },
    { args: ["net-destroy", "nope"], on: qemu },
    { args: ["net-undefine", "nd-nat"], before: [["net-define", "{dir}/nat.xml"]] },
    { args: ["net-undefine", "nope"], on: test },
    // net-autostart
    { args: ["net-autostart", "nd-br"], on: qemu, after: [["net-autostart", "nd-br", "--disable"]] },
    { args: ["net-autostart", "default", "--disable"], on: test },
    { args: ["net-autostart", "nope"], on: test },
    // net-update: the element typed, or a file holding it; virsh's own checks before the daemon's.
    { args: ["net-update", "default", "add", "ip-dhcp-host", HOST], on: test, after: [["net-update", "default", "delete", "ip-dhcp-host", HOST]] },
    {
      args: ["net-update", "default", "add-first", "ip-dhcp-host", "{dir}/host.xml", "--config", "--live"],
      on: test,
      after: [["net-dumpxml", "default"], ["net-update", "default", "delete", "ip-dhcp-host", HOST, "--live", "--config"]],
    },
    { args: ["net-update", "default", "delete", "ip-dhcp-host", HOST], on: test },
    { args: ["net-update", "default", "add", "bogus", HOST, "--parent-index", "1"], on: test },
    { args: ["net-update", "default", "none", "ip", HOST], on: test },
    { args: ["net-update", "default", "add", "ip-dhcp-host", HOST, "--parent-index", "x"], on: test },
    { args: ["net-update", "default", "add", "ip-dhcp-host", HOST, "--live", "--current"], on: test },
    { args: ["net-update", "nd-br", "modify", "bridge", "{dir}/nope.xml"], on: qemu },
    // net-edit: the lookup (the editor runs in the vitest file).
    { args: ["net-edit", "nope"] },
    // net-event: what ends without an event (the events themselves: test/cli/virsh-network.test.ts).
    { args: ["net-event", "--list"], on: test },
    { args: ["net-event", "--event", "bogus"], on: test },
    { args: ["net-event", "--event", "lifecycle", "--timeout", "0"], on: test },
    { args: ["net-event", "--event", "lifecycle", "--timeout", "1", "--network", "nope"], on: qemu },
    // net-port-*: ports live on the session's bridged network; the test driver has none.
    { args: ["net-port-create", "nd-br", "{dir}/port.xml"], on: qemu, after: [["net-port-list", "nd-br"], ["net-port-delete", "nd-br", PORT_UUID]] },
    { args: ["net-port-create", "default", "{dir}/port.xml"], on: test },
    { args: ["net-port-list", "nd-br"], on: qemu, before: [["net-port-create", "nd-br", "{dir}/port.xml"]], after: [["net-port-delete", "nd-br", PORT_UUID]] },
    { args: ["net-port-list", "nd-br", "--uuid"], on: qemu },
    { args: ["net-port-list", "default", "--uuid", "--table"], on: test },
    { args: ["net-port-list", "default"], on: test },
    { args: ["net-port-dumpxml", "nd-br", PORT_UUID], on: qemu, before: [["net-port-create", "nd-br", "{dir}/port.xml"]], after: [["net-port-delete", "nd-br", PORT_UUID]] },
    {
      args: ["net-port-dumpxml", "nd-br", PORT_UUID, "--xpath", "/networkport/plug", "--wrap"],
      on: qemu,
      before: [["net-port-create", "nd-br", "{dir}/port.xml"]],
      after: [["net-port-delete", "nd-br", PORT_UUID]],
    },
    { args: ["net-port-dumpxml", "nd-br", "nope"], on: qemu },
    { args: ["net-port-delete", "nd-br", PORT_UUID], on: qemu, before: [["net-port-create", "nd-br", "{dir}/port.xml"]] },
    { args: ["net-port-delete", "nd-br", PORT_UUID], on: qemu },
    { args: ["net-port-delete", "default", PORT_UUID], on: test },
    // net-list (its registration is table.ts's, its module ours)
    { args: ["net-list", "--all"] },
    { args: ["net-list", "--uuid", "--name"], on: test },
  ],
};

const nwfilter: CaseGroup = {
  group: "Network Filter",
  commands: [
    "nwfilter-define",
    "nwfilter-dumpxml",
    "nwfilter-edit",
    "nwfilter-list",
    "nwfilter-undefine",
    "nwfilter-binding-create",
    "nwfilter-binding-delete",
    "nwfilter-binding-dumpxml",
    "nwfilter-binding-list",
  ],
  files,
  cases: [
    { args: ["nwfilter-define", "{dir}/filter.xml"] },
    { args: ["nwfilter-define", "--validate", "{dir}/nope.xml"], on: qemu },
    { args: ["nwfilter-list"] },
    { args: ["nwfilter-dumpxml", "nope"], on: qemu },
    { args: ["nwfilter-dumpxml", "5b0a8f2e-1c3d-4e5f-9a8b-7c6d5e4f3a21"], on: test },
    { args: ["nwfilter-undefine", "nope"], on: qemu },
    { args: ["nwfilter-edit", "nope"], on: qemu },
    { args: ["nwfilter-binding-create", "{dir}/binding.xml"] },
    { args: ["nwfilter-binding-list"] },
    { args: ["nwfilter-binding-delete", "nd-vnet0"], on: qemu },
    { args: ["nwfilter-binding-dumpxml", "nd-vnet0", "--xpath", "/x"], on: qemu },
  ],
};

const secret: CaseGroup = {
  group: "Secret",
  commands: ["secret-define", "secret-dumpxml", "secret-event", "secret-get-value", "secret-list", "secret-set-value", "secret-undefine"],
  files,
  cases: [
    { args: ["secret-define", "{dir}/secret.xml"], on: qemu, after: [["secret-list"], ["secret-undefine", SECRET_UUID]] },
    { args: ["secret-define", "{dir}/secret.xml"], on: test },
    { args: ["secret-define", "{dir}/bad.xml"], on: qemu },
    { args: ["secret-list"] },
    { args: ["secret-list", "--ephemeral"] },
    { args: ["secret-list", "--no-private"], on: qemu, before: [["secret-define", "{dir}/secret.xml"]], after: [["secret-undefine", SECRET_UUID]] },
    { args: ["secret-dumpxml", SECRET_UUID], on: qemu, before: [["secret-define", "{dir}/secret.xml"]], after: [["secret-undefine", SECRET_UUID]] },
    { args: ["secret-dumpxml", SECRET_UUID, "--xpath", "usage/name/text()"], on: qemu, before: [["secret-define", "{dir}/secret.xml"]], after: [["secret-undefine", SECRET_UUID]] },
    { args: ["secret-dumpxml", "xyz"], on: qemu },
    { args: ["secret-dumpxml", SECRET_UUID], on: test },
    {
      args: ["secret-set-value", SECRET_UUID, "--base64", "aGVs!!bG8=x"],
      on: qemu,
      before: [["secret-define", "{dir}/secret.xml"]],
      after: [["secret-get-value", SECRET_UUID, "--plain"], ["secret-undefine", SECRET_UUID]],
    },
    {
      args: ["secret-set-value", SECRET_UUID, "--file", "{dir}/value.b64"],
      on: qemu,
      before: [["secret-define", "{dir}/secret.xml"]],
      after: [["secret-get-value", SECRET_UUID], ["secret-undefine", SECRET_UUID]],
    },
    { args: ["secret-set-value", SECRET_UUID], on: qemu, before: [["secret-define", "{dir}/secret.xml"]], after: [["secret-undefine", SECRET_UUID]] },
    { args: ["secret-set-value", SECRET_UUID, "--base64", "x", "--plain"], on: test },
    {
      args: ["secret-get-value", SECRET_UUID],
      on: qemu,
      before: [["secret-define", "{dir}/secret.xml"], ["secret-set-value", SECRET_UUID, "--base64", "aGVsbG8="]],
      after: [["secret-undefine", SECRET_UUID]],
    },
    { args: ["secret-get-value", SECRET_UUID], on: qemu, before: [["secret-define", "{dir}/secret.xml"]], after: [["secret-undefine", SECRET_UUID]] },
    { args: ["secret-undefine", SECRET_UUID], on: qemu, before: [["secret-define", "{dir}/secret.xml"]] },
    { args: ["secret-undefine", SECRET_UUID], on: test },
    { args: ["secret-event", "--list"], on: qemu },
    { args: ["secret-event"], on: qemu },
    { args: ["secret-event", "--event", "value-changed", "--timeout", "1", "--secret", "xyz"], on: qemu },
  ],
};

export const groups: readonly CaseGroup[] = [networking, nwfilter, secret];
