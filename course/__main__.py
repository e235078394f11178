"""Command line: `python -m course check [PATH ...]`, `python -m course report FOLDER -o report.html
[--lesson L] [--question L/Q] [--csv OUTDIR]` and
`python -m course html OUT [--instructor] [--force]` and `python -m course kit OUT [--data FOLDER] [--force]`."""
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


def _write_file(target: Path, text: str, encoding: str = "utf-8") -> str | None:
    """Write a file beside its target and rename it into place; return why it could not be written, or None.

    A failure never leaves a truncated file behind.
    """
    import os
    import tempfile

    try:
        handle, temporary = tempfile.mkstemp(prefix=".report-", suffix=target.suffix, dir=target.resolve().parent)
    except OSError as exc:
        return f"cannot write {target}: {exc.strerror or exc}"
    try:
        with os.fdopen(handle, "w", encoding=encoding, errors="replace", newline="") as out:
            out.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # an ordinary file, as a plain write would have made it
        os.replace(temporary, target.resolve())
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        return f"cannot write {target}: {exc.strerror or exc}"
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return None


def _report(args: argparse.Namespace) -> int:
    from course.class_results import CSV_ENCODING, ScopeError, class_results_from_folder, csv_tables, report_html

    try:
        results = class_results_from_folder(args.folder, names=args.names, lessons=args.lesson, questions=args.question)
    except (FileNotFoundError, ScopeError) as exc:
        print(_printable(str(exc)), file=sys.stderr)
        return 2
    html = report_html(results, names=args.names)
    target = args.output
    if target.is_dir():
        print(f"{target} is a folder; give a file name for the report, such as {target / 'report.html'}", file=sys.stderr)
        return 2
    if not target.resolve().parent.is_dir():
        print(f"cannot write {target}: the folder {target.resolve().parent} does not exist", file=sys.stderr)
        return 2
    if args.csv is not None and args.csv.exists() and not args.csv.is_dir():
        print(f"{args.csv} is a file; give a folder to write the CSV tables into", file=sys.stderr)
        return 2
    if args.csv is not None and not args.csv.resolve().parent.is_dir():
        print(f"cannot write into {args.csv}: the folder {args.csv.resolve().parent} does not exist", file=sys.stderr)
        return 2
    problem = _write_file(target, html)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    print(f"Wrote {args.output}: {results.learners} learners, {len(results.skipped)} files skipped.")
    if args.csv is not None:
        try:
            args.csv.mkdir(exist_ok=True)
        except OSError as exc:
            print(f"cannot write into {args.csv}: {exc.strerror or exc}", file=sys.stderr)
            return 2
        tables = csv_tables(results, names=args.names)
        for name, text in tables.items():
            problem = _write_file(args.csv / name, text, CSV_ENCODING)
            if problem:
                print(problem, file=sys.stderr)
                return 2
        print(f"Wrote {', '.join(tables)} into {args.csv}.")
    for skipped in results.skipped:
        print(f"  skipped {_printable(skipped.source)}: {_printable(skipped.reason)}")
    if results.skipped and not args.names:
        print("  (file names are hidden with the learners' names; add --names to see them)")
    return 0


def _html(args: argparse.Namespace) -> int:
    from course.bank import BankError
    from course.static_site import LessonFileError, OutputError, default_lessons_dir, write_site

    folder = args.lessons or default_lessons_dir()
    if args.output.exists() and not args.output.is_dir():
        print(f"{args.output} is a file; give a folder to write the course into, such as {args.output.with_suffix('')}-site",
              file=sys.stderr)
        return 2
    try:
        target = write_site(args.output, folder, instructor=args.instructor, force=args.force)
    except OutputError as exc:
        print("The course page was not written:", *(_printable(p) for p in exc.problems), file=sys.stderr)
        if exc.foreign:
            print(f"  Give a folder of its own, such as {_beside(args.output, 'site')}, or add --force to replace "
                  f"{args.output / 'index.html'} with the course page.", file=sys.stderr)
        return 2
    except (LessonFileError, BankError) as exc:
        print(f"The course page was not written: {_printable(str(exc))}", file=sys.stderr)
        if args.lessons is None and not folder.is_dir():
            print("  (give the folder of lesson notebooks with --lessons, such as --lessons modules)", file=sys.stderr)
        return 1
    except OSError as exc:
        print(_printable(_os_reason(exc, args.output)), file=sys.stderr)
        return 2
    copy = "instructor copy, with answer keys: keep it from learners" if args.instructor else "learners' copy"
    print(f"Wrote {target} ({copy}). Open it in a browser to read it, or print it.")
    return 0


def _kit(args: argparse.Namespace) -> int:
    from course.bank import BankError
    from course.kit import KitError, write_kit
    from course.static_site import OutputError

    if args.output.exists() and not args.output.is_dir():
        print(f"{args.output} is a file; give a folder to write the kit into, such as {args.output.with_suffix('')}-kit",
              file=sys.stderr)
        return 2
    try:
        written = write_kit(args.output, args.data, force=args.force)
    except (KitError, BankError) as exc:
        print("The kit was not written:", *(_printable(str(p)) for p in getattr(exc, "problems", [exc])),
              sep="\n", file=sys.stderr)
        return 1
    except OutputError as exc:
        print("The kit was not written, and nothing was changed:", *(_printable(p) for p in exc.problems), sep="\n",
              file=sys.stderr)
        if exc.foreign:
            print(f"  Give a new or empty folder, such as {_beside(args.output, 'kit')}, or add --force to write the "
                  "kit there anyway: its pages replace files of the same name, and other files stay.", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"The kit was not written: {_printable(_os_reason(exc, args.output))}", file=sys.stderr)
        return 2
    print(f"Wrote {len(written)} pages into {args.output}. Open {written[0]} in a browser: it lists each page, "
          "who it is for and how many copies to print (A4).")
    return 0


def _beside(path: Path, kind: str) -> Path:
    """Return a folder name beside `path` for a build of its own (e.g. "handouts" -> "handouts-kit")."""
    if path.name in ("", ".", ".."):
        path = path.resolve()
    if not path.name:
        return Path(kind)
    return path.with_name(f"{path.name}-new" if kind in path.name.lower() else f"{path.name}-{kind}")


def _os_reason(exc: OSError, out: Path) -> str:
    """Return an OSError as "cannot write PATH: reason", naming the path at fault when the error has one."""
    return f"cannot write {exc.filename or out}: {exc.strerror or exc}"


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
    report.add_argument("folder", type=Path, help="folder holding the learners' .json (or course-made .zip) exports")
    report.add_argument("-o", "--output", type=Path, default=Path("report.html"), help="HTML file to write")
    report.add_argument("--names", action="store_true", help="show learners' names instead of pseudonyms")
    report.add_argument("--lesson", action="append", metavar="LESSON",
                        help="limit the report to a lesson the session used (its id, such as two-words, or its number); "
                             "repeat for more")
    report.add_argument("--question", action="append", metavar="LESSON/QUESTION",
                        help="limit a lesson to the questions the session used, such as two-words/different-people; "
                             "repeat for more")
    report.add_argument("--csv", type=Path, metavar="OUTDIR",
                        help="also write questions.csv, options.csv and learners.csv into this folder (made if missing)")
    report.set_defaults(run=_report)
    html = sub.add_parser("html", help="write the whole course as one web page to read or print (OUT/index.html)")
    html.add_argument("output", type=Path, metavar="OUT", help="folder to write index.html into (made if missing)")
    html.add_argument("--instructor", action="store_true",
                      help="add answer keys, feedback on every option and discussion notes (write it to a folder of its own)")
    html.add_argument("--lessons", type=Path, default=None, metavar="FOLDER",
                      help="folder of the lesson notebooks (default: the course's modules folder)")
    html.add_argument("--force", action="store_true",
                      help="replace OUT/index.html even when it is not a course page (a trainer's kit's, say)")
    html.set_defaults(run=_html)
    kit = sub.add_parser("kit", help="write the trainer's kit for the half-day workshop: printable A4 pages (OUT/index.html)")
    kit.add_argument("output", type=Path, metavar="OUT", help="folder to write the pages into (made if missing)")
    kit.add_argument("--data", type=Path, default=None, metavar="FOLDER",
                     help="folder of kit YAML files to use instead of the course's own (course/kit)")
    kit.add_argument("--force", action="store_true",
                     help="write into OUT even when it holds files the kit did not write (pages replace files of "
                          "the same name); without it, only a new or empty folder or an earlier kit is written into")
    kit.set_defaults(run=_kit)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
