# Watch every event the daemon supports, for a few seconds.
# Run: python3 node_modules/libvirt-remote/examples/python/events.py URI [SECONDS=5]
import sys
import threading
import time
import libvirt

libvirt.virEventRegisterDefaultImpl()
threading.Thread(target=lambda: [libvirt.virEventRunDefaultImpl() for _ in iter(int, 1)], daemon=True).start()
conn = libvirt.open(sys.argv[1] if len(sys.argv) > 1 else None)
# libvirt-python has no table of event IDs (the *_LAST sentinels are not exported): these are libvirt 11.3's.
families = [("domain", conn.domainEventRegisterAny, 28), ("network", conn.networkEventRegisterAny, 2), ("storagePool", conn.storagePoolEventRegisterAny, 2),
            ("nodeDevice", conn.nodeDeviceEventRegisterAny, 2), ("secret", conn.secretEventRegisterAny, 2)]
ids, skipped = [], []
for family, register, last in families:
    for event in range(last):
        try:
            ids.append(register(None, event, lambda *args, f=family: print(f, args[1:-1]), None))
        except libvirt.libvirtError:
            skipped.append(f"{family}/{event}")
print(f"watching {len(ids)} events; skipped: {', '.join(skipped) or 'none'}")
time.sleep(float(sys.argv[2]) if len(sys.argv) > 2 else 5)
conn.close()
