#!/usr/bin/env bash
# Disaster benchmark: declaring a flood over one amphoe of a synthetic registry, on SQLite and
# PostgreSQL. Every household living or farming in the amphoe is decided again and, when
# eligible, has its relief claim drafted and its farmers told.
#
#   benches/draft_claims.sh [households] [amphoe]     (default 1,000,000 and 3201, Mueang Surin)
#
# For each backend: a fresh database with the geography, N synthetic households
# (`kaset seed-synthetic`), the quiet baseline (`kaset evaluate --all`), then
# `kaset declare-disaster` over the amphoe, which prints the households decided again, the
# claims drafted and households per second. Needs a release build and PostgreSQL at $PG_URL.
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-1000000}"
AMPHOE="${2:-3201}"
KASET="${KASET:-${CARGO_TARGET_DIR:-target}/release/kaset}"
PG_URL="${PG_URL:-postgres://postgres@127.0.0.1:5432}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
TODAY="$(TZ=Asia/Bangkok date +%F)"
STARTED="$(TZ=Asia/Bangkok date -d "$TODAY - 2 days" +%F)"
CLOSES="$(TZ=Asia/Bangkok date -d "$TODAY + 14 days" +%F)"

measure() { # label, then the command
  local label="$1"; shift
  /usr/bin/time -f "%e s, max RSS %M KB" -o "$WORK/time" "$@" > "$WORK/out"
  echo "  $label: $(tail -n 1 "$WORK/out") — $(cat "$WORK/time")"
}

run() { # backend name, database URL
  echo "== $1, $N households, amphoe $AMPHOE"
  export DATABASE_URL="$2" KASET_SEED_DEMO=false KASET_DATA_DIR="$WORK/data"
  "$KASET" migrate > /dev/null
  measure "seed-synthetic" "$KASET" seed-synthetic --households "$N"
  measure "evaluate --all (baseline)" "$KASET" evaluate --all
  measure "declare-disaster" "$KASET" declare-disaster --hazard flood \
    --started-on "$STARTED" --claims-close-on "$CLOSES" --areas "$AMPHOE" \
    --description "benchmark flood"
}

run sqlite "sqlite://$WORK/bench.db"
psql "$PG_URL/postgres" -qc "DROP DATABASE IF EXISTS kaset_bench" -c "CREATE DATABASE kaset_bench"
run postgres "$PG_URL/kaset_bench?sslmode=disable"
psql "$PG_URL/postgres" -qc "DROP DATABASE IF EXISTS kaset_bench"
