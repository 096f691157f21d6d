#!/usr/bin/env bash
# Installs the Debian packages the test suite drives for real, when they are missing and we may:
# Chromium (admin and rendering tests), Dovecot (the bounce and contact mailboxes) and
# PostgreSQL (the tests start a private server of their own, see scripts/private-postgres.ts).
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
[ -x /usr/sbin/dovecot ] || missing+=(dovecot-imapd)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "Paquets système manquants pour les tests : ${missing[*]} (apt-get install ${missing[*]}, en root)" >&2
  exit 1
fi
echo "Installation des paquets Debian nécessaires aux tests : ${missing[*]}"
echo "(si une autre installation est en cours, on attend qu'elle se termine, 10 minutes au plus)"
export DEBIAN_FRONTEND=noninteractive
apt_get() { apt-get -o DPkg::Lock::Timeout=600 -o Acquire::Retries=3 "$@"; }
# DPkg::Lock::Timeout covers dpkg's lock; the package lists' lock of `update` is retried here.
for attempt in $(seq 1 120); do
  if apt_get update -qq >/dev/null 2>/tmp/maillage-apt-update.$$; then break; fi
  grep -qi 'lock' /tmp/maillage-apt-update.$$ && [ "$attempt" -lt 120 ] || { cat /tmp/maillage-apt-update.$$ >&2; rm -f /tmp/maillage-apt-update.$$; exit 1; }
  [ "$attempt" -eq 1 ] && echo "Une autre installation est en cours : on attend…"
  sleep 5
done
rm -f /tmp/maillage-apt-update.$$
apt_get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "Paquets installés : ${missing[*]}"
# Their Debian services are not wanted: the tests start their own instances.
if command -v dovecot >/dev/null 2>&1; then (dovecot stop >/dev/null 2>&1 || true); fi
