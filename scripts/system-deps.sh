#!/usr/bin/env bash
# Installs the Debian packages the test suite drives for real (Chromium for the admin and
# rendering tests, Dovecot for the bounce mailbox), when they are missing and we may.
set -euo pipefail
wanted=(chromium dovecot-imapd)
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
[ -x /usr/sbin/dovecot ] || missing+=(dovecot-imapd)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "Paquets système manquants pour les tests : ${missing[*]} (apt-get install ${wanted[*]})" >&2
  exit 1
fi
echo "Installation de ${missing[*]}…"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Dovecot's Debian service is not wanted: the tests start their own instance.
if command -v dovecot >/dev/null 2>&1; then (dovecot stop >/dev/null 2>&1 || true); fi
