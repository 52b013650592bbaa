#!/usr/bin/env bash
# Installs the test registrar (Kamailio, Debian's package) when it is missing.
# Needs root and apt-get; prints what it did; installs nothing when kamailio is present.
set -euo pipefail
if command -v kamailio >/dev/null 2>&1 || [ -x /usr/sbin/kamailio ]; then
    echo "kamailio is installed: $(/usr/sbin/kamailio -v 2>/dev/null | head -1 || kamailio -v | head -1)"
    exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "kamailio is missing; install it as root: apt-get update && apt-get install -y kamailio" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq kamailio >/dev/null
echo "installed: $(/usr/sbin/kamailio -v | head -1)"
