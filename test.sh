#!/usr/bin/env bash
# The test command (README.md): installs what the tests need, then runs every test.
# SoftHSM2 is a real PKCS#11 token; the PKCS#11 tests fail (they never skip) without it.
set -euo pipefail
cd "$(dirname "$0")"

if [ ! -e /usr/lib/softhsm/libsofthsm2.so ] || ! command -v softhsm2-util >/dev/null; then
  echo "installing softhsm2 (PKCS#11 token for the tests)"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq softhsm2 >/dev/null
fi

dotnet test Appliance.sln -c Release --nologo --logger "console;verbosity=minimal"
