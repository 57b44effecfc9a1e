#!/usr/bin/env python3
"""Print, NUL-separated, the KEY=VALUE pairs of the env file (ENV_FILE, default .env) that the real environment does
not already set, parsed exactly as config/settings.py parses them; the shell scripts export them."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from config.env import load_env_file  # after the sys.path line: the project root is not on it by default


def main() -> int:
    before = set(os.environ)
    load_env_file(os.environ.get("ENV_FILE") or str(Path(__file__).resolve().parent.parent / ".env"))
    for key in sorted(set(os.environ) - before):
        if key.isidentifier():
            sys.stdout.write(f"{key}={os.environ[key]}\0")
    return 0


if __name__ == "__main__":
    sys.exit(main())
