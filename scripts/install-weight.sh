#!/usr/bin/env bash
# How much each candidate driver for the embedded default costs to install: wall time, node_modules size and
# package count, each installed alone into a fresh app (docs/embedded-sqlite.md has the figures).
# Usage: bash scripts/install-weight.sh [SPEC…]   (default: sqlite3@5.1.7 better-sqlite3@12.9.0)
set -u
specs=("$@")
[ ${#specs[@]} -gt 0 ] || specs=(sqlite3@5.1.7 better-sqlite3@12.9.0)
for spec in "${specs[@]}"; do
  app=$(mktemp -d)
  (
    cd "$app" && npm init -y >/dev/null
    start=$(date +%s)
    npm install --no-audit --no-fund --foreground-scripts "$spec" >install.log 2>&1
    rc=$?
    echo "$spec: exit $rc, $(($(date +%s) - start)) s, $(du -sh node_modules | cut -f1), $(ls node_modules | wc -l) packages"
  )
  rm -rf "$app"
done
