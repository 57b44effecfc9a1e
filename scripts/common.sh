# Shared by run.sh and test.sh (sourced, run from the project root).

VENV=.venv

# True for the values config/env.py reads as true.
is_true() {
  case "${1,,}" in 1 | true | yes | on) return 0 ;; *) return 1 ;; esac
}

# Export the env file's values that the real environment does not set (same parser as the settings).
load_env_file() {
  local pair
  while IFS= read -r -d '' pair; do export "${pair?}"; done < <("$VENV/bin/python" scripts/env_file.py)
}

# Put the virtualenv first on PATH so Procfile.dev, ruff, celery and python are the project's.
use_venv() {
  PATH="$PWD/$VENV/bin:$PATH"
  export PATH VIRTUAL_ENV="$PWD/$VENV"
}

# Make REDIS_URL point at a Redis that answers (a private one is started if needed and stopped on exit).
ensure_redis() {
  REDIS_URL=$(python scripts/ensure_redis.py --url "${REDIS_URL:-redis://127.0.0.1:6379/0}" --var-dir var)
  export REDIS_URL
  trap 'python scripts/ensure_redis.py --stop --var-dir var' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}
