#!/usr/bin/env bash
# Installs the Debian packages sniprobe needs to build, test and run its lab.
# Idempotent and quiet when everything is present: `dpkg-query` decides what is
# missing, and apt runs only for those packages. Needs root for the install step.
set -euo pipefail

packages=(
  # build
  cmake make g++ clang pkg-config clang-format clang-tidy
  # libraries (DESIGN.md §7)
  libssl-dev libpcap-dev libnetfilter-queue-dev libmnl-dev libc-ares-dev libidn2-dev
  libcli11-dev nlohmann-json3-dev libtomlplusplus-dev libexpected-dev libfmt-dev zlib1g-dev
  # tests, fuzzing, benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev libclang-rt-14-dev
  time  # /usr/bin/time: peak RSS in bench/analyze_throughput.sh and tests/perf/
  # the lab and its checks
  nginx-light libnginx-mod-stream openssl iproute2 iptables procps tshark nghttp2-client curl jq
  python3
  iputils-ping util-linux ngtcp2-server
  # the HTML report's browser tests (headless, driven over the DevTools pipe)
  chromium
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

if ((EUID != 0)); then
  echo "sniprobe setup: missing Debian packages: ${missing[*]}" >&2
  echo "sniprobe setup: run as root (sudo make ...) so they can be installed" >&2
  exit 1
fi

echo "sniprobe setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer for it.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null

# The nginx package may start a system-wide nginx; the lab runs its own inside a
# namespace and needs nothing from the system one.
exit 0
