# What a failed call tells: libvirt's error code and message.
# Run: python3 node_modules/libvirt-remote/examples/python/errors.py URI
import sys
import libvirt

conn = libvirt.open(sys.argv[1] if len(sys.argv) > 1 else None)
try:
    conn.lookupByName("no-such-domain")
except libvirt.libvirtError as e:
    if e.get_error_code() != libvirt.VIR_ERR_NO_DOMAIN:
        raise
    print(f"{e.get_error_code()}: {e.get_error_message()}")
conn.close()
