#!/usr/bin/env bash
# The test command (README.md): installs what the tests need, then runs every test.
#  - softhsm2: a real PKCS#11 token for the token tests (they fail, never skip, without it)
#  - python3-grpcio + protobuf-compiler-grpc: a stock Python gRPC client for the interop test
set -euo pipefail
cd "$(dirname "$0")"

need=()
[ -e /usr/lib/softhsm/libsofthsm2.so ] && command -v softhsm2-util >/dev/null || need+=(softhsm2)
/usr/bin/python3 -c 'import grpc, google.protobuf' 2>/dev/null || need+=(python3-grpcio python3-protobuf)
[ -x /usr/bin/grpc_python_plugin ] && [ -e /usr/include/google/protobuf/timestamp.proto ] || need+=(protobuf-compiler-grpc libprotobuf-dev)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

dotnet test Appliance.sln -c Release --nologo --logger "console;verbosity=minimal"
