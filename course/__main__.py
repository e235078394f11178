"""Command line: `python -m course check [PATH ...]`, `python -m course report FOLDER -o report.html` and
`python -m course html OUT [--instructor]`."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _check(args: argparse.Namespace) -> int:
    from course.bank import check_paths, shipped_bank_dir

    paths = args.paths or [shipped_bank_dir()]
    problems = check_paths(paths, course_wide=not args.paths or args.course)
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        print("Problems found (listed above).", file=sys.stderr)
        return 1
    print("Bank OK: every file passed the schema, answer-key and item-writing checks.")
    return 0


def _sorting(args: argparse.Namespace) -> int:
    from course.bank import lessons
    from course.sorting import listing

    print(listing(lessons()))
    return 0


def _report(args: argparse.Namespace) -> int:
    from course.class_results import class_results_from_folder, report_html

    try:
        results = class_results_from_folder(args.folder, names=args.names)
    except FileNotFoundError as exc:
        print(f"{exc}", file=sys.stderr)
        return 2
    import os
    import tempfile

    html = report_html(results, names=args.names)
    target = args.output
    if target.is_dir():
        print(f"{target} is a folder; give a file name for the report, such as {target / 'report.html'}", file=sys.stderr)
        return 2
    if not target.resolve().parent.is_dir():
        print(f"cannot write {target}: the folder {target.resolve().parent} does not exist", file=sys.stderr)
        return 2
    # Written beside the target and renamed into place: a failure never leaves a truncated report.
    try:
        handle, temporary = tempfile.mkstemp(prefix=".report-", suffix=".html", dir=target.resolve().parent)
    except OSError as exc:
        print(f"cannot write {target}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    try:
        with os.fdopen(handle, "w", encoding="utf-8", errors="replace") as out:
            out.write(html)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # an ordinary file, as a plain write would have made it
        os.replace(temporary, target.resolve())
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        print(f"cannot write {target}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    print(f"Wrote {args.output}: {results.learners} learners, {len(results.skipped)} files skipped.")
    for skipped in results.skipped:
        print(f"  skipped {_printable(skipped.source)}: {_printable(skipped.reason)}")
    if results.skipped and not args.names:
        print("  (file names are hidden with the learners' names; add --names to see them)")
    return 0


def _html(args: argparse.Namespace) -> int:
    from course.bank import BankError
    from course.static_site import LessonFileError, default_lessons_dir, write_site

    folder = args.lessons or default_lessons_dir()
    if args.output.exists() and not args.output.is_dir():
        print(f"{args.output} is a file; give a folder to write the course into, such as {args.output.with_suffix('')}-site",
              file=sys.stderr)
        return 2
    try:
        target = write_site(args.output, folder, instructor=args.instructor)
    except (LessonFileError, BankError) as exc:
        print(f"The course page was not written: {_printable(str(exc))}", file=sys.stderr)
        if args.lessons is None and not folder.is_dir():
            print("  (give the folder of lesson notebooks with --lessons, such as --lessons modules)", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"cannot write into {args.output}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    copy = "instructor copy, with answer keys: keep it from learners" if args.instructor else "learners' copy"
    print(f"Wrote {target} ({copy}). Open it in a browser to read it, or print it.")
    return 0


def _printable(text: str) -> str:
    """Keep control characters from a file name or reason out of the terminal."""
    return "".join(c if c.isprintable() else "\ufffd" for c in text)


def main(argv: list[str] | None = None) -> int:
    """Run the course command line."""
    parser = argparse.ArgumentParser(prog="python -m course", description="Lead & Manage course tools.")
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="validate question bank files (default: the shipped bank)")
    check.add_argument("paths", nargs="*", help="bank files or folders of them")
    check.add_argument("--course", action="store_true",
                       help="also judge the files together as a whole course (the default for the shipped bank)")
    check.set_defaults(run=_check)
    sorting = sub.add_parser("sorting", help="list classify statements by edge case of the sorting rule, side by side")
    sorting.set_defaults(run=_sorting)
    report = sub.add_parser("report", help="write a class results report from a folder of learners' exports")
    report.add_argument("folder", type=Path, help="folder holding the learners' .json exports")
    report.add_argument("-o", "--output", type=Path, default=Path("report.html"), help="HTML file to write")
    report.add_argument("--names", action="store_true", help="show learners' names instead of pseudonyms")
    report.set_defaults(run=_report)
    html = sub.add_parser("html", help="write the whole course as one web page to read or print (OUT/index.html)")
    html.add_argument("output", type=Path, metavar="OUT", help="folder to write index.html into (made if missing)")
    html.add_argument("--instructor", action="store_true",
                      help="add answer keys, feedback on every option and discussion notes (write it to a folder of its own)")
    html.add_argument("--lessons", type=Path, default=None, metavar="FOLDER",
                      help="folder of the lesson notebooks (default: the course's modules folder)")
    html.set_defaults(run=_html)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
