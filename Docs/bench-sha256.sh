#!/usr/bin/env bash
# SHA-256 throughput on one 1 GiB file: openssl, sha256sum, and LabRunner hash (SHA-NI and portable paths).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product LabRunner >/dev/null
LR="$PWD/.build/release/LabRunner"
FILE="$(mktemp)"
trap 'rm -f "$FILE"' EXIT
head -c 1073741824 /dev/urandom > "$FILE"
cat "$FILE" > /dev/null   # warm the page cache so every tool reads from memory
rate() {
    local label="$1"; shift
    local start end
    start=$(date +%s.%N); "$@" > /dev/null; end=$(date +%s.%N)
    python3 -c "print(f'{\"$label\":<40} {1073.741824 / ($end - $start):8.0f} MB/s')"
}
rate "openssl dgst -sha256" openssl dgst -sha256 "$FILE"
rate "sha256sum" sha256sum "$FILE"
rate "LabRunner hash (SHA-NI when the CPU has it)" "$LR" hash "$FILE"
rate "LabRunner hash (LABRUNNER_PORTABLE_SHA=1)" env LABRUNNER_PORTABLE_SHA=1 "$LR" hash "$FILE"
