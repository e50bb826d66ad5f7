#!/usr/bin/env bash
# Installs the Debian packages the build and tests need; quiet and quick
# when they are already there. Run as root on Debian 12.
set -euo pipefail

packages=(
  cmake ninja-build g++ clang libclang-rt-14-dev clang-format python3
  libgtest-dev libtbb-dev nlohmann-json3-dev libcli11-dev zlib1g-dev libsodium-dev libzstd-dev pkg-config
  libboost-dev libssl-dev prometheus-cpp-dev
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
