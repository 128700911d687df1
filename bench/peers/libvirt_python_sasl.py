"""libvirt-python over SASL: the peer of `npm run bench:sasl`.

    BENCH_SASL_USER=u BENCH_SASL_PASSWORD=p python3 libvirt_python_sasl.py URI MODE ARGS...

The same modes as libvirt_python.py; the connection is opened with
virConnectOpenAuth and a callback that answers the authentication name and
password (libvirt.open has no callback, so Cyrus SASL could not ask).
"""
import os
import runpy
import sys

import libvirt


def answer(creds, _opaque):
    for cred in creds:
        if cred[0] == libvirt.VIR_CRED_AUTHNAME:
            cred[4] = os.environ["BENCH_SASL_USER"]
        elif cred[0] == libvirt.VIR_CRED_PASSPHRASE:
            cred[4] = os.environ["BENCH_SASL_PASSWORD"]
    return 0


libvirt.open = lambda uri: libvirt.openAuth(uri, [[libvirt.VIR_CRED_AUTHNAME, libvirt.VIR_CRED_PASSPHRASE], answer, None], 0)
runpy.run_path(os.path.join(os.path.dirname(os.path.abspath(__file__)), "libvirt_python.py"), run_name="__main__")
