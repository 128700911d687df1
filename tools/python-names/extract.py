#!/usr/bin/python3
"""Which libvirt C function each libvirt-python method calls, as JSON.

Read from the installed bindings: every public method of libvirt-python's
classes (and the module functions of libvirt, libvirt_qemu, libvirt_lxc)
whose body calls libvirtmod*.virXxx(...). That call is the generator's own
record of the C function behind the method, so the table is a fact about
the bindings, not a guess from names.

    /usr/bin/python3 tools/python-names/extract.py > codegen/python-names.json
"""
import importlib
import importlib.metadata
import inspect
import json
import re
import sys

CALL = re.compile(r"\blibvirtmod(?:_qemu|_lxc)?\.(vir\w+)\s*\(")


def c_calls(fn):
    try:
        src = inspect.getsource(fn)
    except (OSError, TypeError):
        return []
    return sorted(set(CALL.findall(src)))


def methods():
    out = []
    for modname in ("libvirt", "libvirt_qemu", "libvirt_lxc"):
        mod = importlib.import_module(modname)
        for name, obj in sorted(vars(mod).items()):
            if name.startswith("_"):
                continue
            if inspect.isfunction(obj) and obj.__module__ == modname:
                calls = c_calls(obj)
                if calls:
                    out.append({"python": f"{modname}.{name}", "c": calls})
            elif inspect.isclass(obj) and obj.__module__ == modname and name.startswith("vir"):
                for mname, m in sorted(vars(obj).items()):
                    if mname.startswith("_") or not inspect.isfunction(m):
                        continue
                    calls = c_calls(m)
                    if calls:
                        out.append({"python": f"{name}.{mname}", "c": calls})
    return out


def main():
    version = importlib.metadata.version("libvirt-python")
    table = {
        "source": f"libvirt-python {version}: the libvirtmod call in each method's body",
        "methods": methods(),
    }
    json.dump(table, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
