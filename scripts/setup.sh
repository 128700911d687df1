#!/usr/bin/env bash
# Sets up a fresh Debian/Ubuntu machine for this project, checks the result
# and runs the demo: system packages, npm dependencies, the build, the
# pinned libvirt protocol sources, the generated code against
# them, then a short tour against a throwaway libvirtd.
set -euo pipefail
cd "$(dirname "$0")/.."

# rpcgen + libtirpc + gcc: the C XDR oracle and benchmark peer.
# libvirt daemon, clients, QEMU, nbdkit, python3-libvirt: the real daemon
# the end-to-end tests and benchmarks run against; tcpdump for capture import;
# sshd, ssh and nc for the SSH transports' tests (virt-ssh-helper comes with libvirt-daemon);
# Cyrus SASL's tools and plug-ins, polkitd and a D-Bus daemon for the authentication tests;
# openssl for the test certificates; util-linux's unshare and runuser.
PACKAGES=(
  rpcsvc-proto libtirpc-dev gcc libc6-dev xz-utils ca-certificates
  libvirt-daemon libvirt-clients qemu-system-x86 qemu-utils nbdkit python3-libvirt tcpdump
  openssh-server openssh-client netcat-openbsd
  sasl2-bin libsasl2-modules polkitd dbus bsdutils
  openssl util-linux
  # Graphviz's dot draws docs/layers.svg, the import graph (npm run docs:graph, run by npm run docs).
  graphviz
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

npm ci --no-audit --no-fund
# npm ci no longer builds (the package builds on pack, not on install): build here.
npm run -s build
npm run -s protocol:fetch
# libvirt 11.3 beside the system's 9.0, for the second end-to-end run (npm test).
bash scripts/libvirt-11.sh
npm run -s gen:check
npm run -s demo
