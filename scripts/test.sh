#!/usr/bin/env bash
# `make test`: set up .venv with requirements-dev.txt, then lint, format check, mypy, Django checks, migrations check
# and pytest. Every step runs; the exit code is non-zero if any failed. PYTEST_ARGS adds pytest arguments
# (e.g. PYTEST_ARGS="-p xdist -n 2" once the suite is safe in parallel). DATABASE_URL selects the database.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/common.sh

# The browser tests drive Debian's Chromium: install it where this may (root with apt-get), else say what is missing.
ensure_chromium() {
  [[ -x /usr/bin/chromium ]] && return 0
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "==> Installing chromium with apt-get"
    local log=/tmp/tracker-apt.log
    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      chromium; } >"$log" 2>&1; then
      cat "$log" >&2
      echo "    chromium could not be installed: the browser tests will fail" >&2
    fi
  else
    echo "    /usr/bin/chromium is missing (apt-get install chromium): the browser tests will fail" >&2
  fi
}

ensure_chromium
scripts/bootstrap.sh requirements-dev.txt
use_venv
load_env_file
export DEBUG=${DEBUG:-1}
ensure_redis
failed=()

step() {
  local name=$1 started=$SECONDS
  shift
  echo "==> $name"
  if "$@"; then
    echo "    ok ($((SECONDS - started))s)"
  else
    echo "    FAILED ($((SECONDS - started))s): $name"
    failed+=("$name")
  fi
}

step "ruff check" ruff check .
step "ruff format --check" ruff format --check .
step "mypy" mypy  # the packages and flags are in pyproject.toml [tool.mypy]
step "manage.py check" python manage.py check
step "makemigrations --check" python manage.py makemigrations --check --dry-run

# pytest runs last even when a step above failed, so its closing summary line is the last thing printed.
echo "==> pytest ${PYTEST_ARGS:-}"
rc=0
# shellcheck disable=SC2086  # PYTEST_ARGS is a list of words on purpose
python -m pytest ${PYTEST_ARGS:-} || rc=$?
if ((rc == 5)); then
  echo "make test FAILED: pytest collected no tests." >&2
fi
if ((${#failed[@]})); then
  echo "make test FAILED: ${failed[*]}" >&2
  rc=1
fi
exit "$rc"
