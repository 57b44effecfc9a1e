#!/usr/bin/env bash
# Create .venv with Python 3.13 if it is missing, and install a requirements file into it when that file changed
# since the last install (a stamp with the files' hash is kept inside .venv).
# Usage: scripts/bootstrap.sh [requirements.txt | requirements-dev.txt]     PYTHON=/path/to/python3.13 to choose.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/common.sh
REQUIREMENTS=${1:-requirements.txt}

is_313() {
  "$1" -c 'import sys; sys.exit(sys.version_info < (3, 13))' >/dev/null 2>&1
}

find_python() {
  local candidate
  for candidate in "${PYTHON:-}" python3.13 /root/.pyenv/versions/3.13.*/bin/python3.13 \
    "$HOME"/.pyenv/versions/3.13.*/bin/python3.13; do
    if [[ -n $candidate ]] && is_313 "$candidate"; then
      echo "$candidate"
      return 0
    fi
  done
  echo "Python 3.13 is needed: install python3.13 (or set PYTHON to its path)" >&2
  return 1
}

create_venv() {
  local python
  python=$(find_python)
  echo "==> Creating $VENV with $python"
  "$python" -m venv "$VENV"
}

requirements_hash() {
  "$VENV/bin/python" -c 'import hashlib, sys
print(hashlib.sha256(b"".join(open(f, "rb").read() for f in sys.argv[1:])).hexdigest())' "$REQUIREMENTS" requirements.txt
}

install_requirements() {
  local stamp="$VENV/.installed-$(basename "$REQUIREMENTS")" digest
  digest=$(requirements_hash)
  if [[ -f $stamp && $(<"$stamp") == "$digest" ]]; then
    return 0
  fi
  echo "==> Installing $REQUIREMENTS into $VENV"
  "$VENV/bin/python" -m pip install --disable-pip-version-check --quiet -r "$REQUIREMENTS"
  echo "$digest" >"$stamp"
}

[[ -x $VENV/bin/python ]] || create_venv
if ! is_313 "$VENV/bin/python"; then
  echo "$VENV does not run Python 3.13: move it away and run this again to recreate it." >&2
  exit 1
fi
install_requirements
