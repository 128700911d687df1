# Start a domain, stop it, and wait for each event.
# Run: python3 node_modules/libvirt-remote/examples/python/lifecycle.py URI [DOMAIN=vm1]
import sys
import threading
import libvirt

libvirt.virEventRegisterDefaultImpl()
threading.Thread(target=lambda: [libvirt.virEventRunDefaultImpl() for _ in iter(int, 1)], daemon=True).start()
conn = libvirt.open(sys.argv[1] if len(sys.argv) > 1 else None)
dom = conn.lookupByName(sys.argv[2] if len(sys.argv) > 2 else "vm1")
for action, event in [("create", libvirt.VIR_DOMAIN_EVENT_STARTED), ("destroy", libvirt.VIR_DOMAIN_EVENT_STOPPED)]:
    seen = threading.Event()
    cb = conn.domainEventRegisterAny(dom, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE, lambda c, d, ev, detail, _: ev == event and seen.set(), None)
    getattr(dom, action)()
    if not seen.wait(10):
        raise TimeoutError(action)
    conn.domainEventDeregisterAny(cb)
    print(f"{action}: event seen, id {dom.ID()}")
conn.close()
