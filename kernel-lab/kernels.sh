# The kernels the lab builds, sourced by setup.sh and build-kernel.sh (and read by src/real/lab.ts
# through `build-kernel.sh`). Each is one Debian source package at a pinned version, with its own
# config fragment and observation patch in kernel-lab/.
#
#   6.12  linux-source-6.12 6.12.117-1~deb12u1  bookworm-security   (stands for the model's "6.12")
#   7.3   linux-source-7.3  7.3.4-1~bpo13+1     trixie-backports    (stands for the model's "7.3")
# shellcheck shell=bash
KLAB_KERNELS=(6.12 7.3)
KLAB_SRC_DIR="${KLAB_SRC_DIR:-/var/cache/p2pviz/linux-source}"

# klab_kernel KERNEL [FIELD]: package, version, suite (a sources.list entry), release (uname -r)
klab_kernel() {
  local k="$1" f="${2:-package}" package version suite release
  case "$k" in
    6.12) package=linux-source-6.12; version=6.12.117-1~deb12u1
          suite="http://deb.debian.org/debian-security bookworm-security main"; release=6.12.117 ;;
    7.3)  package=linux-source-7.3; version=7.3.4-1~bpo13+1
          suite="http://deb.debian.org/debian trixie-backports main"; release=7.3.4 ;;
    *) echo "kernel-lab: unknown kernel '$k' (one of: ${KLAB_KERNELS[*]})" >&2; return 2 ;;
  esac
  case "$f" in
    package) echo "$package" ;; version) echo "$version" ;; suite) echo "$suite" ;; release) echo "$release" ;;
    *) echo "kernel-lab: unknown field '$f'" >&2; return 2 ;;
  esac
}

# the source tarball setup.sh keeps for KERNEL
klab_source_tar() {
  echo "$KLAB_SRC_DIR/$(klab_kernel "$1" package)_$(klab_kernel "$1" version).tar.xz"
}
