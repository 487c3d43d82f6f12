#!/usr/bin/env bash
# Vendor the Worker's only dependency, the `workers` SDK (PyPI workers-runtime-sdk), into
# edge/python_modules/ (git-ignored) for the local runner, the way `pywrangler sync` would.
# Usage: edge/scripts/vendor.sh        (idempotent; PYTHON=/path/to/python to choose pip's python)
set -euo pipefail
SDK_VERSION="${SDK_VERSION:-1.9.5}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="$here/python_modules"
stamp="$target/.workers-runtime-sdk-$SDK_VERSION"
[[ -f "$stamp" ]] && exit 0
rm -rf "$target" && mkdir -p "$target"
if command -v uv >/dev/null 2>&1 && uv pip install --quiet --python-platform wasm32-pyodide2025 \
    --python-version 3.14 --only-binary :all: --target "$target" \
    "workers-runtime-sdk==$SDK_VERSION" 2>/dev/null; then
  :
else
  # The SDK is a pure-Python wheel: unpacking it is what uv would do for the Pyodide platform.
  python="${PYTHON:-$(command -v python3)}"
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  "$python" -m pip download --quiet --no-deps --only-binary :all: -d "$tmp" \
    "workers-runtime-sdk==$SDK_VERSION"
  "$python" -m zipfile -e "$tmp"/workers_runtime_sdk-*.whl "$target"
fi
test -f "$target/workers/__init__.py"
touch "$stamp"
echo "vendored workers-runtime-sdk $SDK_VERSION into $target"
