# Define a domain from XML, read its XML back, undefine it.
# Run: python3 node_modules/libvirt-remote/examples/python/define.py URI [NAME=example]
import sys
import libvirt

name = sys.argv[2] if len(sys.argv) > 2 else "example"
xml = f"<domain type='test'><name>{name}</name><memory unit='MiB'>64</memory><os><type>hvm</type></os></domain>"
conn = libvirt.open(sys.argv[1] if len(sys.argv) > 1 else None)
dom = conn.defineXML(xml)
print(f"defined {dom.name()} {dom.UUIDString()}")
print("\n".join(dom.XMLDesc().split("\n")[:3]))
dom.undefine()
print(f"undefined {dom.name()}")
conn.close()
