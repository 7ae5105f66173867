#!/usr/bin/env bash
# Install Label Studio 1.23.2 into its own venv at .cache/labelstudio-venv (repo-relative).
# Label Studio pins many packages, so it never shares the project's .venv. Idempotent: a venv
# whose label-studio already reports the pinned version is left alone.
set -euo pipefail
LS_VERSION="1.23.2"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${LABEL_STUDIO_VENV:-$ROOT/.cache/labelstudio-venv}"
PY="${PYTHON:-python3}"

installed_version() {
    "$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("label-studio"))' \
        2>/dev/null || true
}

if [ -x "$VENV/bin/label-studio" ] && [ "$(installed_version)" = "$LS_VERSION" ]; then
    echo "label-studio $LS_VERSION already installed in $VENV"
    exit 0
fi
mkdir -p "$(dirname "$VENV")"
"$PY" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet "label-studio==$LS_VERSION"
echo "installed label-studio $(installed_version) in $VENV"
