"""libvirt-python's side of the parity harness.

Reads {"uri", "domain", "calls": [{"name", "expr"}]} as JSON on stdin,
evaluates each expression with `conn`, `dom` (and `pool`, `secret` when
named) bound, and prints {name: value} as JSON. Values are written so
nothing is lost in JSON: an int as {"i": "<decimal>"}, a float as
{"f": x}, bytes as {"b": "<hex>"}, tuples as lists; a libvirt error as
{"error": {"number": n, "message": m}}.
"""
import json
import sys

import libvirt


def encode(v):
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, int):
        return {"i": str(v)}
    if isinstance(v, float):
        return {"f": v}
    if isinstance(v, (bytes, bytearray)):
        return {"b": bytes(v).hex()}
    if isinstance(v, (list, tuple)):
        return [encode(x) for x in v]
    if isinstance(v, dict):
        return {str(k): encode(x) for k, x in v.items()}
    # An object (a domain, a snapshot, ...): by its name, as the harness compares handles.
    if hasattr(v, "name"):
        return {"name": v.name()}
    return {"unknown": repr(v)}


def main():
    req = json.load(sys.stdin)
    # libvirt-python prints every error on stderr by default; the harness reports them itself.
    libvirt.registerErrorHandler(lambda _ctx, _err: None, None)
    conn = libvirt.open(req["uri"])
    env = {"conn": conn, "libvirt": libvirt}
    if req.get("domain"):
        env["dom"] = conn.lookupByName(req["domain"])
    if req.get("pool"):
        env["pool"] = conn.storagePoolLookupByName(req["pool"])
    if req.get("secret"):
        env["secret"] = conn.secretLookupByUUIDString(req["secret"])
    if req.get("network"):
        env["net"] = conn.networkLookupByName(req["network"])
    if req.get("nodedev"):
        env["nodedev"] = conn.nodeDeviceLookupByName(req["nodedev"])
    out = {}
    for call in req["calls"]:
        try:
            out[call["name"]] = {"value": encode(eval(call["expr"], env))}
        except libvirt.libvirtError as e:
            out[call["name"]] = {"error": {"number": e.get_error_code(), "message": e.get_error_message()}}
        except Exception as e:  # a TypeError from the binding itself, for one
            out[call["name"]] = {"error": {"number": -1, "message": f"{type(e).__name__}: {e}"}}
    json.dump(out, sys.stdout)
    conn.close()


main()
