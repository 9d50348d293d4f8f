#!/usr/bin/env bash
# Installs what building and testing Standby needs on Debian 12; does nothing when all is there.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  qt6-base-dev qt6-httpserver-dev qt6-websockets-dev qt6-declarative-dev qt6-tools-dev
  qml6-module-qtquick qml6-module-qtquick-controls qml6-module-qtquick-templates
  qml6-module-qtquick-layouts qml6-module-qtquick-window qml6-module-qt-labs-platform
  qml6-module-qtqml-workerscript qml6-module-qttest
  xvfb xauth curl procps
  # The web UI's end-to-end test drives Debian's Chromium (tests/e2e/web_ui.mjs).
  chromium
  # promtool, for the check of the Prometheus exposition (tests/integration/tst_metrics_http.cpp).
  prometheus
)

# The web UI is built with Node.js and npm (resources/web). A machine that has them from
# elsewhere (NodeSource, nvm) keeps them; Debian's packages are the fallback.
if ! command -v node >/dev/null 2>&1; then
  packages+=(nodejs)
fi
if ! command -v npm >/dev/null 2>&1; then
  packages+=(npm)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "setup: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq

# prometheus is here only for promtool, which tests check /metrics with. Its package would also
# start a Prometheus server (port 9090, every interface): a server nobody asked for. While
# installing, Debian's policy-rc.d hook forbids starting any service (unless the machine has a
# policy of its own); afterwards the unit is disabled so it does not start at boot either.
policy=/usr/sbin/policy-rc.d
own_policy=""
if [[ " ${missing[*]} " == *" prometheus "* ]] && [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
  $sudo chmod 755 "$policy"
  own_policy=1
fi
status=0
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" || status=$?
if [ -n "$own_policy" ]; then
  $sudo rm -f "$policy"
fi
[ "$status" -eq 0 ] || exit "$status"

if [[ " ${missing[*]} " == *" prometheus "* ]] && command -v systemctl >/dev/null &&
   [ -d /run/systemd/system ]; then
  $sudo systemctl disable --now prometheus >/dev/null 2>&1 || true
fi
