"""Generate the national-size data set: `python bench/generate.py --seed 1 [--scale 0.01] [--reset]`.

Defaults are the full size: 100,000 recommendations, 1,000,000 timeline entries, 2,000 users, 500 inspections.
Point DATABASE_URL at a database of your own: --reset empties its tracker tables first.
"""

import argparse
import datetime
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.django_env import setup_django


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every default size (0.01 = tiny)")
    parser.add_argument("--recommendations", type=int)
    parser.add_argument("--timeline", type=int, help="history rows + progress updates + follow-ups")
    parser.add_argument("--users", type=int)
    parser.add_argument("--inspections", type=int)
    parser.add_argument("--as-of", type=datetime.date.fromisoformat, help="'today' of the data set (default today)")
    parser.add_argument("--reset", action="store_true", help="empty the tracker tables first")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    setup_django()
    from bench.generator import GenConfig, GeneratorRefused, generate

    sizes = {name: getattr(args, name) for name in ("recommendations", "timeline", "users", "inspections")}
    config = GenConfig.scaled(args.scale, **sizes, as_of=args.as_of)
    try:
        summary = generate(config, reset=args.reset)
    except GeneratorRefused as refusal:
        print(f"generate.py: {refusal}", file=sys.stderr)
        return 2
    for name, count in summary.counts.items():
        print(f"{name:>22}: {count:>10,}")
    print(f"{'long timelines':>22}: recommendations {', '.join(map(str, summary.long_timeline_ids))}")
    print(f"Generated in {summary.seconds:.1f}s (seed {config.seed}, as of {config.as_of})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
