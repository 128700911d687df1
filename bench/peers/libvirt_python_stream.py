"""libvirt-python's stream.recvAll / sendAll, the peer of `npm run bench:streams`.

    python3 libvirt_python_stream.py URI POOL VOL download FILE
    python3 libvirt_python_stream.py URI POOL VOL upload FILE

Prints one JSON object: bytes, seconds (the transfer alone, from the
volume call to the stream's finish), client CPU seconds.
"""
import json
import os
import sys
import time

import libvirt

uri, pool_name, vol_name, mode, path = sys.argv[1:6]
conn = libvirt.open(uri)
vol = conn.storagePoolLookupByName(pool_name).storageVolLookupByName(vol_name)
total = [0]
cpu0 = time.process_time()
t0 = time.perf_counter()
st = conn.newStream(0)
if mode == "download":
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)

    def sink(stream, data, fd):
        total[0] += len(data)
        return os.write(fd, data)

    vol.download(st, 0, 0, 0)
    st.recvAll(sink, fd)
    st.finish()
    os.close(fd)
else:
    fd = os.open(path, os.O_RDONLY)

    def source(stream, nbytes, fd):
        data = os.read(fd, nbytes)
        total[0] += len(data)
        return data

    vol.upload(st, 0, 0, 0)
    st.sendAll(source, fd)
    st.finish()
    os.close(fd)
seconds = time.perf_counter() - t0
cpu = time.process_time() - cpu0
conn.close()
print(json.dumps({"bytes": total[0], "seconds": seconds, "cpu": cpu}))
