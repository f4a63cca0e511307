#!/usr/bin/env bash
# The test command (README.md): installs what the tests need, then runs every test.
#  - softhsm2: a real PKCS#11 token for the token tests (they fail, never skip, without it)
#  - ykcs11: Yubico's PKCS#11 module, loaded for real (no YubiKey here: it must say so clearly)
#  - python3-grpcio + protobuf-compiler-grpc, and @grpc/grpc-js (npm): stock clients for the interop tests
#  - python3-requests, and ccxt + undici (npm, pinned): stock clients of the HTTPS front
#  - systemd-analyze: checks the image's appliance.service
#  - image/check.sh (the Raspberry Pi image recipe: units, firewall, scripts, an arm64 build run under qemu)
#    installs what it needs itself
set -euo pipefail
cd "$(dirname "$0")"

need=()
[ -e /usr/lib/softhsm/libsofthsm2.so ] && command -v softhsm2-util >/dev/null || need+=(softhsm2)
ls /usr/lib/*-linux-gnu/libykcs11.so >/dev/null 2>&1 || need+=(ykcs11)
/usr/bin/python3 -c 'import grpc, google.protobuf' 2>/dev/null || need+=(python3-grpcio python3-protobuf)
/usr/bin/python3 -c 'import requests' 2>/dev/null || need+=(python3-requests)
[ -x /usr/bin/grpc_python_plugin ] && [ -e /usr/include/google/protobuf/timestamp.proto ] || need+=(protobuf-compiler-grpc libprotobuf-dev)
command -v node >/dev/null && command -v npm >/dev/null || need+=(nodejs npm)
command -v systemd-analyze >/dev/null || need+=(systemd)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

# Node's stock gRPC client and ccxt for the interop tests (versions pinned by package-lock.json);
# npm ci again whenever what is installed is not what the lock file pins.
(cd examples/node && if ! node -e '
  const lock = require("./package-lock.json").packages;
  for (const p of ["@grpc/grpc-js", "@grpc/proto-loader", "ccxt", "undici"])
    if (require("./node_modules/" + p + "/package.json").version !== lock["node_modules/" + p].version) process.exit(1);
' 2>/dev/null; then npm ci --no-audit --no-fund --loglevel=error; fi)

# The Raspberry Pi image recipe; it fails loudly, never skips (needs root: debootstrap, chroot).
image/check.sh

dotnet test Appliance.sln -c Release --nologo --logger "console;verbosity=minimal"
