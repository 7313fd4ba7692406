#!/usr/bin/env bash
# Page benchmark: "My entitlements" for the demo farmer, under load from wrk on 127.0.0.1.
#
#   benches/entitlements_page.sh [seconds]       (default 20)
#
# Starts the release server on a fresh demo database (SQLite, or DATABASE_URL), logs the demo
# farmer in with curl (CSRF token and all), then runs wrk with one connection (the median is
# then the server's time per page plus loopback) and with 8 connections (throughput).
# Needs a release build (`cargo build --release`) and wrk (apt-get install wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TO_RUN="${1:-20}"
KASET="${KASET:-${CARGO_TARGET_DIR:-target}/release/kaset}"
WORK="$(mktemp -d)"
PORT=18090
export DATABASE_URL="${DATABASE_URL:-sqlite://$WORK/kaset.db}" KASET_DATA_DIR="$WORK/data" KASET_BIND="127.0.0.1:$PORT" RUST_LOG=warn
"$KASET" > "$WORK/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER; rm -rf "$WORK"' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" > /dev/null && break; sleep 0.2; done

JAR="$WORK/cookies"
TOKEN=$(curl -s -c "$JAR" "http://127.0.0.1:$PORT/login" | sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' | head -n 1)
curl -s -b "$JAR" -c "$JAR" -o /dev/null -w "login: HTTP %{http_code}\n" \
  --data-urlencode "csrf_token=$TOKEN" --data-urlencode "login=3100100000014" \
  --data-urlencode "password=kaset-demo-2026" "http://127.0.0.1:$PORT/login"
COOKIE=$(awk '$6 == "kaset_session" { print "kaset_session=" $7 }' "$JAR")
curl -s -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT/entitlements" | grep -q "entitlement-eligible" \
  || { echo "the entitlements page did not render for the farmer"; exit 1; }

echo "== 1 connection, ${SECONDS_TO_RUN}s"
wrk -t1 -c1 -d"${SECONDS_TO_RUN}s" --latency -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT/entitlements" | grep -E "Latency|50%|99%|Requests/sec"
echo "== 8 connections, ${SECONDS_TO_RUN}s"
wrk -t2 -c8 -d"${SECONDS_TO_RUN}s" --latency -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT/entitlements" | grep -E "Latency|50%|99%|Requests/sec"
