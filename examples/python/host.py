# Host info, capabilities, memory statistics and every domain's statistics.
# Run: python3 node_modules/libvirt-remote/examples/python/host.py URI
import json
import sys
import libvirt

conn = libvirt.open(sys.argv[1] if len(sys.argv) > 1 else None)
model, memory, cpus, mhz, *_ = conn.getInfo()
print(f"{conn.getHostname()}: {model}, {cpus} CPUs at {mhz} MHz, {memory} MiB")
print(len(conn.getCapabilities()), "bytes of capabilities XML")
print(json.dumps(conn.getMemoryStats(libvirt.VIR_NODE_MEMORY_STATS_ALL_CELLS)))
for dom, params in conn.getAllDomainStats():
    print(dom.name(), json.dumps(params))
conn.close()
