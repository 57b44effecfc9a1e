#!/usr/bin/env bash
# `make run`: set up .venv, the database and the demo data, then run web + Celery worker + Celery beat under honcho
# (Procfile.dev), so one Ctrl-C stops them all. DEBUG defaults to 1 here; WEB_PORT (default 8000) moves the web server.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/common.sh

scripts/bootstrap.sh requirements.txt
use_venv
load_env_file
export DEBUG=${DEBUG:-1} WEB_PORT=${WEB_PORT:-8000}
if is_true "$DEBUG"; then
  # Outgoing mail lands as files in var/emails instead of leaving the machine.
  export EMAIL_BACKEND=${EMAIL_BACKEND:-django.core.mail.backends.filebased.EmailBackend}
  export EMAIL_FILE_PATH=${EMAIL_FILE_PATH:-$PWD/var/emails}
fi
mkdir -p var/emails
ensure_redis

echo "==> Migrating the database"
python manage.py migrate --noinput
if ! is_true "$DEBUG"; then
  python manage.py collectstatic --noinput
fi
echo "==> Loading the demo data"
python manage.py load_demo
echo "==> Sending today's reminders (the sweep beat runs at 07:00; nobody gets a second one the same day)"
python manage.py send_reminders

cat <<BANNER

  Recommendation tracker: http://127.0.0.1:$WEB_PORT/   (admin: http://127.0.0.1:$WEB_PORT/admin/)
  Demo logins, all with the password demo-password-2026:
    inspectorate   kss.lead   sc.lead   hmpps.lead
  Redis: $REDIS_URL   Emails: ${EMAIL_FILE_PATH:-${EMAIL_BACKEND:-the console}}
  Web, Celery worker and Celery beat start now; Ctrl-C stops them all.

BANNER
# --env /dev/null: the env file is already loaded above, and honcho's own loader would override the environment.
honcho --env /dev/null -f Procfile.dev start
