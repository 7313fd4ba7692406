#!/usr/bin/env bash
# Batch benchmark: `kaset evaluate --all` over a synthetic registry, on SQLite and PostgreSQL.
#
#   benches/evaluate_all.sh [households]        (default 1,000,000)
#
# For each backend: a fresh database with the geography, N synthetic households
# (`kaset seed-synthetic`), then `kaset evaluate --all` twice — the first run stores every
# decision (the quiet baseline), the second finds nothing changed. Prints wall time,
# households per second and peak memory (GNU time's maximum resident set size).
# Needs a release build (`cargo build --release`) and PostgreSQL at $PG_URL.
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-1000000}"
KASET="${KASET:-${CARGO_TARGET_DIR:-target}/release/kaset}"
PG_URL="${PG_URL:-postgres://postgres@127.0.0.1:5432}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

measure() { # label, then the command
  local label="$1"; shift
  /usr/bin/time -f "%e s, max RSS %M KB" -o "$WORK/time" "$@" > "$WORK/out"
  echo "  $label: $(tail -n 1 "$WORK/out") — $(cat "$WORK/time")"
}

run() { # backend name, database URL
  echo "== $1, $N households"
  export DATABASE_URL="$2" KASET_SEED_DEMO=false KASET_DATA_DIR="$WORK/data"
  "$KASET" migrate > /dev/null
  measure "seed-synthetic" "$KASET" seed-synthetic --households "$N"
  measure "evaluate --all (first: stores every decision)" "$KASET" evaluate --all
  measure "evaluate --all (again: nothing changed)" "$KASET" evaluate --all
}

run sqlite "sqlite://$WORK/bench.db"
psql "$PG_URL/postgres" -qc "DROP DATABASE IF EXISTS kaset_bench" -c "CREATE DATABASE kaset_bench"
run postgres "$PG_URL/kaset_bench?sslmode=disable"
psql "$PG_URL/postgres" -qc "DROP DATABASE IF EXISTS kaset_bench"
