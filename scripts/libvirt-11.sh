#!/usr/bin/env bash
# Puts libvirt 11.3's daemon beside the system's libvirt 9.0, for the second
# end-to-end run (LIBVIRT_E2E_DAEMON=11.3): the .debs of Debian's
# <release>-backports are downloaded with apt into a private apt directory
# (nothing under /etc changes, nothing is installed) and unpacked with
# dpkg-deb -x into a private prefix:
#
#   bash scripts/libvirt-11.sh [PREFIX]     default: $LIBVIRT_11_PREFIX, else
#                                           /opt/libvirt-11.3 as root,
#                                           ~/.cache/libvirt-remote/libvirt-11.3 otherwise
#
# The apt entry is derived from the machine's own apt sources, as
# protocol/fetch.ts derives its deb-src entry (same archive URIs and keys).
# Only seven packages are needed: their other dependencies are bookworm's
# libraries, already there with libvirt 9.0. src/testing/daemon.ts runs the
# result with LD_LIBRARY_PATH and libvirt's module-directory variables
# pointing into the prefix (see src/testing/prefix.ts).
set -euo pipefail
cd "$(dirname "$0")/.."

UPSTREAM=11.3.0
# The daemon, its library, the QEMU, secret and storage drivers (QEMU's
# session has secret and storage pool events; the test driver has no
# secrets), virtlogd (which the QEMU driver spawns) and virsh, the
# reference client for what virsh 9.0 cannot print.
# libvirt-common is left out: its cpu_map sits at a compiled-in path, where 9.0's serves.
PACKAGES=(libvirt0 libvirt-daemon libvirt-daemon-driver-qemu libvirt-daemon-driver-secret libvirt-daemon-driver-storage libvirt-daemon-log libvirt-clients)
if [ "$(id -u)" -eq 0 ]; then default_prefix=/opt/libvirt-11.3; else default_prefix="${XDG_CACHE_HOME:-$HOME/.cache}/libvirt-remote/libvirt-11.3"; fi
PREFIX="${1:-${LIBVIRT_11_PREFIX:-$default_prefix}}"

libdir() { dirname "$(find "$1/usr/lib" -maxdepth 2 -name 'libvirt.so.0' | head -n1)"; }
installed_version() {
  [ -x "$1/usr/sbin/libvirtd" ] && [ -x "$1/usr/bin/virsh" ] || return 1
  for driver in qemu secret storage; do
    [ -f "$(libdir "$1")/libvirt/connection-driver/libvirt_driver_$driver.so" ] || return 1
  done
  LD_LIBRARY_PATH="$(libdir "$1")" "$1/usr/sbin/libvirtd" --version 2>/dev/null | awk '{print $NF}'
}

if [ "$(installed_version "$PREFIX" || true)" = "$UPSTREAM" ]; then
  echo "libvirt-11: libvirtd $UPSTREAM already in $PREFIX"
  exit 0
fi

. /etc/os-release
SUITE="${VERSION_CODENAME:?no VERSION_CODENAME in /etc/os-release}-backports"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# apt fetches as the unprivileged _apt user, which must reach these folders.
chmod 755 "$work"
mkdir -p "$work/sources.list.d" "$work/lists/partial" "$work/cache/archives/partial" "$work/debs" "$work/root"
chmod 777 "$work/debs"

# protocol/fetch.ts's parser picks Debian's main archive out of the machine's
# sources; its deb-src stanza becomes a deb one for the backports suite.
[ -f dist/protocol/fetch.js ] || npm run -s build
node --input-type=module -e '
  import { existsSync, readFileSync, readdirSync } from "node:fs";
  const { debSrcSources } = await import(process.cwd() + "/dist/protocol/fetch.js");
  const files = [];
  if (existsSync("/etc/apt/sources.list")) files.push({ name: "sources.list", text: readFileSync("/etc/apt/sources.list", "utf8") });
  const dir = "/etc/apt/sources.list.d";
  for (const name of existsSync(dir) ? readdirSync(dir).sort() : []) {
    if (name.endsWith(".list") || name.endsWith(".sources")) files.push({ name, text: readFileSync(`${dir}/${name}`, "utf8") });
  }
  process.stdout.write(debSrcSources(files, [process.argv[1]]).replaceAll("Types: deb-src", "Types: deb"));
' "$SUITE" >"$work/sources.list.d/backports.sources"

APT_OPTS=(
  -o "Dir::Etc::SourceList=/dev/null"
  -o "Dir::Etc::SourceParts=$work/sources.list.d"
  -o "Dir::State::Lists=$work/lists"
  -o "Dir::Cache=$work/cache"
  # Only the private lists decide what exists; the machine's dpkg state is irrelevant to a download.
  -o "Dir::State::status=/dev/null"
)
echo "libvirt-11: apt-get update for $SUITE"
apt-get "${APT_OPTS[@]}" -qq update
version="$(apt-cache "${APT_OPTS[@]}" madison libvirt-daemon | awk -v u="$UPSTREAM" '$3 ~ "^" u "-" {print $3; exit}')"
[ -n "$version" ] || { echo "libvirt-11: $SUITE has no libvirt-daemon $UPSTREAM" >&2; exit 1; }
echo "libvirt-11: downloading ${PACKAGES[*]} $version"
(cd "$work/debs" && apt-get "${APT_OPTS[@]}" -qq download "${PACKAGES[@]/%/=$version}")
for deb in "$work"/debs/*.deb; do dpkg-deb -x "$deb" "$work/root"; done
# The daemon runs as an unprivileged user when the tests run as root.
chmod -R a+rX "$work/root"

got="$(installed_version "$work/root" || true)"
[ "$got" = "$UPSTREAM" ] || { echo "libvirt-11: the unpacked libvirtd reports '$got', not $UPSTREAM" >&2; exit 1; }
mkdir -p "$(dirname "$PREFIX")"
rm -rf "$PREFIX"
mv "$work/root" "$PREFIX"
echo "libvirt-11: libvirtd $UPSTREAM ($version) in $PREFIX"
