# Save a screenshot of a running domain to a file.
# Run: python3 node_modules/libvirt-remote/examples/python/screenshot.py URI [DOMAIN=test] [FILE=screenshot.png]
import sys
import libvirt

conn = libvirt.open(sys.argv[1] if len(sys.argv) > 1 else None)
dom = conn.lookupByName(sys.argv[2] if len(sys.argv) > 2 else "test")
stream = conn.newStream()
mime = dom.screenshot(stream, 0)
with open(sys.argv[3] if len(sys.argv) > 3 else "screenshot.png", "wb") as f:
    stream.recvAll(lambda _, data, f: f.write(data), f)
stream.finish()
print(f"saved {mime}")
conn.close()
