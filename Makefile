# The two commands of the README. Everything else lives in scripts/.
.PHONY: run test

## run: set up .venv, migrate, load the demo data, run web + Celery worker + beat (Ctrl-C stops all)
run:
	@scripts/run.sh

## test: set up .venv with the dev requirements, then ruff, mypy, Django checks, migrations check and pytest
test:
	@scripts/test.sh
