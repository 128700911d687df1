# Every domain with its state, memory and vCPUs.
# Run: python3 node_modules/libvirt-remote/examples/python/list.py URI
import sys
import libvirt

conn = libvirt.open(sys.argv[1] if len(sys.argv) > 1 else None)
for dom in conn.listAllDomains():
    state, _, memory, vcpus, _ = dom.info()
    print(f"{dom.name()}: {'running' if state == libvirt.VIR_DOMAIN_RUNNING else 'not running'}, {memory // 1024} MiB, {vcpus} vCPUs")
conn.close()
