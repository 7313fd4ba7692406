#!/usr/bin/env bash
# Whether a wrong password takes as long for an unknown account as for a real one (it should:
# an unknown account is checked against a decoy hash). Against a running Kaset (`cargo run
# --release`), four wrong passwords per account, each from a fresh session; prints the third fastest of the four.
#   benches/login_timing.sh [base-url]
# Four per account and twenty in all stay under the login limits (five per account and address).
set -euo pipefail
base="${1:-http://127.0.0.1:8080}"

median_of_wrong_passwords() {
  local login="$1"
  for attempt in 1 2 3 4; do
    jar="$(mktemp)"
    token="$(curl -s -c "$jar" -b "$jar" "$base/login" |
      grep -o 'name="csrf_token" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"$//')"
    curl -s -o /dev/null -w '%{time_total}\n' -c "$jar" -b "$jar" \
      --data-urlencode "csrf_token=$token" --data-urlencode "login=$login" \
      --data-urlencode "password=not the password $attempt" "$base/login"
    rm -f "$jar"
  done | sort -n | sed -n 3p
}

for login in officer.surin@demo.kaset manager@demo.kaset \
  nobody@demo.kaset someone.else@example.th; do
  printf '%-28s %s s\n' "$login" "$(median_of_wrong_passwords "$login")"
done
