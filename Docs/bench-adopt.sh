#!/usr/bin/env bash
# Registers a 2 GiB weights file in an adopted project and reports the peak memory (maximum resident set size)
# of `adopt` and `register`, and the store's disk use: the file is hashed streaming and stored once.
# Usage: Docs/bench-adopt.sh [debug|release]   (default: release)
set -euo pipefail
cd "$(dirname "$0")/.."
CONFIG="${1:-release}"
swift build -c "$CONFIG" --product LabRunner >/dev/null
LR="$PWD/.build/$CONFIG/LabRunner"
PROJECT="$(mktemp -d "$PWD/.build/bench-adopt-XXXXXX")"
trap 'chmod -R u+w "$PROJECT"; rm -rf "$PROJECT"' EXIT
mkdir -p "$PROJECT/model"
head -c 2147483648 /dev/urandom > "$PROJECT/model/weights.bin"
echo "You are a support assistant." > "$PROJECT/prompt.txt"
cat > "$PROJECT/eval.sh" <<'SH'
test -f "$LABRUNNER_VERSION_DIR/weights" && ok=true || ok=false
echo "{\"case\": \"weights-present\", \"category\": \"smoke\", \"passed\": $ok}"
SH
cd "$PROJECT"
peak() {
    local label="$1"; shift
    local log; log="$(mktemp)"
    local start end
    start=$(date +%s.%N)
    /usr/bin/time -v "$@" >/dev/null 2>"$log"
    end=$(date +%s.%N)
    local kb; kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
    python3 -c "print(f'{\"$label\":<34} peak RSS {$kb / 1024:7.1f} MiB   wall {$end - $start:6.1f} s')"
    rm -f "$log"
}
peak "adopt (2 GiB component)" "$LR" adopt --component weights=model/weights.bin --component prompt=prompt.txt \
    --eval-command 'sh eval.sh'
peak "register (hash, copy, eval, store)" "$LR" register --owner bench --reason "2 GiB weights" --root
echo "store: $(du -sh --apparent-size .labrunner/registry/objects | cut -f1) for $(du -sh --apparent-size model | cut -f1) of components"
