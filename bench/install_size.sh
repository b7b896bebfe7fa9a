#!/usr/bin/env bash
# Installed size of werger's default dependencies against the same plus the ray extra.
#
#     bash bench/install_size.sh
#
# Installs both sets from uv.lock into two fresh virtual environments (from uv's cache where it
# can) and prints each site-packages size and the difference; each is measured on its own, since
# du counts a file hard-linked into both folders only once per call.
set -euo pipefail
cd "$(dirname "$0")/.."
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for set in default ray; do
    extra=()
    [ "$set" = ray ] && extra=(--extra ray)
    uv export --locked --no-dev "${extra[@]}" --no-hashes --no-emit-project > "$work/$set.txt" 2>/dev/null
    uv venv --quiet "$work/$set"
    uv pip install --quiet --python "$work/$set/bin/python" -r "$work/$set.txt"
done
size() { du -sm "$work/$1"/lib/python3*/site-packages | cut -f1; }
base="$(size default)"
with_ray="$(size ray)"
echo "default install: ${base} MB of packages"
echo "with werger[ray]: ${with_ray} MB (+$((with_ray - base)) MB)"
echo "largest additions (MB):"
(cd "$work"/ray/lib/python3*/site-packages && du -sm ray pyarrow pandas grpc fsspec msgpack 2>/dev/null | sort -rn)
