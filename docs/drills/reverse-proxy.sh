#!/usr/bin/env bash
# Drill: nginx with TLS (self-signed) in front of two app instances and a worker, on FerretDB.
# Uses docs/nginx/maillage.conf with local ports and certificates. Needs nginx and openssl.
# Prints what it checks; exits 1 on the first failure. Run from the repository root.
set -euo pipefail
work=$(mktemp -d /tmp/maillage-proxy-drill-XXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
[ -n "${DRILL_DEBUG:-}" ] && trap 'tail -n 5 "$work"/*.log "$work"/logs/*.log || true; cleanup' EXIT
free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
check() { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; exit 1; fi; }

db_port=$(free_port); app1=$(free_port); app2=$(free_port); tls=$(free_port)
node --import tsx scripts/ferretdb.ts serve --sqlite-dir "$work/db" --port "$db_port" >"$work/ferretdb.log" 2>&1 & pids+=($!)
for _ in $(seq 1 100); do (echo >"/dev/tcp/127.0.0.1/$db_port") 2>/dev/null && break; sleep 0.2; done

common=(NODE_ENV=production MONGODB_URI="mongodb://127.0.0.1:$db_port/maillage" PUBLIC_URL="https://maillage.test:$tls"
  SECRET=drill-secret-0123456789-abcdefghijklmnop SMTP_URL=smtp://127.0.0.1:9 HOST=127.0.0.1 TRUST_PROXY=loopback
  ADMIN_EMAIL=admin@maillage.test ADMIN_PASSWORD=drill-password-2026 LOG_LEVEL=info DATA_DIR="$work/data")
npm run --silent build # the admin, then the app's and the worker's bundles
env "${common[@]}" JOBS=on node node_modules/.cache/maillage/worker.mjs >"$work/worker.log" 2>&1 & pids+=($!)
sleep 3 # the worker creates the first administrator and runs the migrations first
env "${common[@]}" JOBS=off PORT="$app1" node node_modules/.cache/maillage/main.mjs >"$work/app1.log" 2>&1 & pids+=($!)
env "${common[@]}" JOBS=off PORT="$app2" node node_modules/.cache/maillage/main.mjs >"$work/app2.log" 2>&1 & pids+=($!)
for port in "$app1" "$app2"; do
  for _ in $(seq 1 150); do curl -sf "http://127.0.0.1:$port/api/health/live" >/dev/null && break; sleep 0.2; done
done

openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=maillage.test" -addext "subjectAltName=DNS:maillage.test" \
  -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
mkdir -p "$work/logs"
{
  echo "pid $work/nginx.pid; error_log $work/logs/error.log; events {}"
  echo "http { access_log $work/logs/access.log; client_body_temp_path $work; proxy_temp_path $work;"
  sed -e "s#127.0.0.1:3001#127.0.0.1:$app1#; s#127.0.0.1:3002#127.0.0.1:$app2#" \
      -e "s#listen 443 ssl http2;#listen 127.0.0.1:$tls ssl;#; /listen \[::\]/d; s#listen 80;#listen 127.0.0.1:$(free_port);#" \
      -e "s#server_name maillage.example.org;#server_name maillage.test;#" \
      -e "s#/etc/letsencrypt/live/maillage.example.org/fullchain.pem#$work/cert.pem#; s#/etc/letsencrypt/live/maillage.example.org/privkey.pem#$work/key.pem#" \
      docs/nginx/maillage.conf
  echo "}"
} >"$work/nginx.conf"
nginx -c "$work/nginx.conf" -p "$work"
sleep 0.5

url="https://maillage.test:$tls"
curl_tls() { curl -s --resolve "maillage.test:$tls:127.0.0.1" --cacert "$work/cert.pem" "$@"; }
for _ in $(seq 1 180); do [ "$(curl_tls -o /dev/null -w '%{http_code}' "$url/api/health/ready")" = 200 ] && break; sleep 0.5; done
check "GET /api/health/ready through TLS answers 200" '[ "$(curl_tls -o /dev/null -w "%{http_code}" "$url/api/health/ready")" = 200 ]'
headers=$(curl_tls -D - -o /dev/null -H 'content-type: application/json' -d '{"email":"admin@maillage.test","password":"drill-password-2026"}' "$url/api/auth/login")
check "login sets a Secure, HttpOnly session cookie behind the proxy" 'grep -qi "^set-cookie: maillage_session=.*HttpOnly.*Secure" <<<"$headers" || grep -qi "^set-cookie: maillage_session=.*Secure.*HttpOnly" <<<"$headers"'
check "HSTS is sent (PUBLIC_URL is https)" 'grep -qi "^strict-transport-security:" <<<"$headers"'
check "the request id from nginx is echoed" 'grep -qi "^x-request-id: [0-9a-f]\{32\}" <<<"$headers"'
codes=""
for _ in $(seq 1 11); do codes+="$(curl_tls -o /dev/null -w '%{http_code} ' -H 'content-type: application/json' -d '{"email":"x@maillage.test","password":"mauvais-mot-de-passe"}' "$url/api/auth/login")"; done
check "the 11th failed login through both upstreams is refused (429): $codes" '[ "$(awk "{print \$11}" <<<"$codes")" = 429 ]'
check "requests reached both app instances" 'grep -q "auth/login" "$work/app1.log" && grep -q "auth/login" "$work/app2.log"'
check "no e-mail address in the logs of the apps and the worker" '! grep -q "admin@maillage.test" "$work/app1.log" "$work/app2.log" "$work/worker.log"'
echo "drill passed"
