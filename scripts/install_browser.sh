#!/usr/bin/env bash
# Install what the browser end-to-end test needs, idempotently:
#   - Debian's chromium and fonts-noto-cjk (apt-get; needs root),
#   - playwright-core from npm into tests/browser/node_modules (no browser download).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

if ! command -v chromium >/dev/null 2>&1 || ! dpkg -s fonts-noto-cjk >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk
fi

cd "$ROOT/tests/browser"
if [ ! -d node_modules/playwright-core ]; then
    export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
    if [ -f package-lock.json ]; then
        npm ci --no-audit --no-fund
    else
        npm install --no-audit --no-fund
    fi
fi
echo "chromium: $(chromium --version 2>/dev/null || echo missing)"
