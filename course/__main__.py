"""Command line: `python -m course check [PATH ...]`."""
from __future__ import annotations

import argparse
import sys


def _check(args: argparse.Namespace) -> int:
    from course.bank import check_paths, shipped_bank_dir

    paths = args.paths or [shipped_bank_dir()]
    problems = check_paths(paths)
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s) found.", file=sys.stderr)
        return 1
    print("Bank OK: every file passed the schema and the answer-key checks.")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the course command line."""
    parser = argparse.ArgumentParser(prog="python -m course", description="Lead & Manage course tools.")
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="validate question bank files (default: the shipped bank)")
    check.add_argument("paths", nargs="*", help="bank files or folders of them")
    check.set_defaults(run=_check)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
