/**
 * C constants that libvirt's `.x` files use but do not define: rpcgen's C
 * output gets them from libvirt's public headers. Facts of the libvirt API,
 * stable since the versions named; test/protocol/externs.test.ts checks each
 * value against the fetched headers of every pinned version.
 */
export interface Extern {
  value: number;
  /** The header that defines it, relative to the libvirt source tree. */
  header: string;
}

export const EXTERNS: Readonly<Record<string, Extern>> = {
  VIR_UUID_BUFLEN: { value: 16, header: "include/libvirt/libvirt-host.h" },
  VIR_SECURITY_LABEL_BUFLEN: { value: 4096 + 1, header: "include/libvirt/libvirt-host.h" },
  VIR_SECURITY_MODEL_BUFLEN: { value: 256 + 1, header: "include/libvirt/libvirt-host.h" },
  VIR_SECURITY_DOI_BUFLEN: { value: 256 + 1, header: "include/libvirt/libvirt-host.h" },
  VIR_TYPED_PARAM_INT: { value: 1, header: "include/libvirt/libvirt-common.h.in" },
  VIR_TYPED_PARAM_UINT: { value: 2, header: "include/libvirt/libvirt-common.h.in" },
  VIR_TYPED_PARAM_LLONG: { value: 3, header: "include/libvirt/libvirt-common.h.in" },
  VIR_TYPED_PARAM_ULLONG: { value: 4, header: "include/libvirt/libvirt-common.h.in" },
  VIR_TYPED_PARAM_DOUBLE: { value: 5, header: "include/libvirt/libvirt-common.h.in" },
  VIR_TYPED_PARAM_BOOLEAN: { value: 6, header: "include/libvirt/libvirt-common.h.in" },
  VIR_TYPED_PARAM_STRING: { value: 7, header: "include/libvirt/libvirt-common.h.in" },
};

/** The values alone, as the resolver takes them. */
export function externValues(): Record<string, number> {
  return Object.fromEntries(Object.entries(EXTERNS).map(([k, v]) => [k, v.value]));
}
