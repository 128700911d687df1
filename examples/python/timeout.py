# Give up on a wait after a timeout. libvirt-python cannot cancel a call: a thread's result is abandoned instead.
# Run: python3 node_modules/libvirt-remote/examples/python/timeout.py URI
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
import libvirt

libvirt.virEventRegisterDefaultImpl()
threading.Thread(target=lambda: [libvirt.virEventRunDefaultImpl() for _ in iter(int, 1)], daemon=True).start()
conn = libvirt.open(sys.argv[1] if len(sys.argv) > 1 else None)
dom = conn.listAllDomains()[0]
rebooted = threading.Event()
cb = conn.domainEventRegisterAny(dom, libvirt.VIR_DOMAIN_EVENT_ID_REBOOT, lambda *_: rebooted.set(), None)
if not rebooted.wait(0.2):
    print("no reboot within 200 ms")
conn.domainEventDeregisterAny(cb)
with ThreadPoolExecutor(1) as pool:
    print(f"with a timeout: {len(pool.submit(dom.XMLDesc).result(timeout=5))} bytes")
conn.close()
