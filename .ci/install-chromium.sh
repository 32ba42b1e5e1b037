#!/usr/bin/env bash
# Installs Debian's Chromium for the browser test when it is missing (playwright-core cannot download a browser on
# this network). Works as root, through sudo for another user, and says plainly when it can do neither.
set -euo pipefail

if command -v chromium >/dev/null 2>&1; then
  echo "ci: chromium present ($(command -v chromium))"
  exit 0
fi

# Root runs apt-get itself; anyone else needs sudo. `env` carries DEBIAN_FRONTEND through sudo and keeps the line
# valid when no prefix is needed (a bare `VAR=x` after an empty expansion would be run as a command).
if [ "$(id -u)" -eq 0 ]; then
  as_root=(env)
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo env)
else
  echo "ci: chromium is missing and this user is neither root nor has sudo; install the Debian package 'chromium'" >&2
  exit 1
fi

echo "ci: installing chromium with apt-get (user $(id -un), via: ${as_root[*]})"
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
echo "ci: chromium installed: $(chromium --version 2>/dev/null || echo unknown version)"
