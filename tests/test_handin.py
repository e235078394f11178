"""Handing work in: file names that never collide, a .zip handed in instead of the .json, consent to quote."""
from __future__ import annotations

import base64
import io
import json
import re
import struct
import time
import warnings
import zipfile
from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from course.exchange import (EXPORT_MEMBER, ExportError, bundle_zip, choose_sharing, export_file, export_filename,
                             import_work, parse_export, sharing_chosen, shares_reflections)
from course.store import ProgressStore

WHEN = datetime(2026, 11, 30, 15, 4)
ID = "3f2a9c1d" + "0" * 24
NAME = re.compile(r"^lead-manage-[A-Za-z0-9._-]+\.(json|zip)$")
# Windows' device names, which no file may take, with or without an extension.
RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(1, 10)), *(f"LPT{n}" for n in range(1, 10))}


def fill(store):
    store.record_attempt("two-words", "q1", 1, False, 0.0)
    store.record_attempt("two-words", "q1", 0, True, 1.0)
    store.save_reflection("two-words", "r1", "first thought, <b>bold</b>")
    store.save_reflection("two-words", "r1", "first thought, revised")
    store.save_rating("before", "vision-1", 3)


# -- 1. file names ----------------------------------------------------------------------------------
@pytest.mark.parametrize("learner, part", [
    ("Ann Lee", "ann-lee"),
    ("  Ann   Lee  ", "ann-lee"),
    ("Zoë Ørsted", "zoe-orsted"),
    ("Łucja Großmann", "lucja-grossmann"),
    ("O'Neil, Jr.", "oneil-jr"),
    ("ﬁona", "fiona"),                       # NFKD folds the ligature
    ("../../etc/passwd", "etc-passwd"),
    (".bashrc", "bashrc"),
    ("a..b", "a.b"),
    ("CON", "con"),
    ("<b>Ann</b>", "b-ann-b"),
    ("Ann\x00Lee\n", "ann-lee"),
    ("3f2a9c1d", "3f2a9c1d"),                # a name that looks like the id is still followed by it
    (None, None),
    ("", None),
    ("   ", None),
    ("李雷", None),                            # nothing left in ASCII: the short id alone
    ("---", None),
])
def test_the_typed_name_then_the_short_id_is_in_both_file_names(learner, part):
    who = "3f2a9c1d" if part is None else f"{part}-3f2a9c1d"
    assert export_filename(learner, ID, WHEN, "json") == f"lead-manage-{who}-20261130-1504.json"
    assert export_filename(learner, ID, WHEN, "zip") == f"lead-manage-{who}-20261130-1504.zip"


def test_the_names_of_the_brief_and_an_id_with_no_hex_digits():
    sam = "1a2b3c4d" + "9" * 24
    assert export_filename("Sam Lee", sam, WHEN, "json") == "lead-manage-sam-lee-1a2b3c4d-20261130-1504.json"
    assert export_filename(None, sam, WHEN, "json") == "lead-manage-1a2b3c4d-20261130-1504.json"
    assert export_filename("Sam Lee", "", WHEN, "json") == "lead-manage-sam-lee-20261130-1504.json"
    assert export_filename(None, "", WHEN, "json") == "lead-manage-learner-20261130-1504.json"
    assert export_filename(None, "3F2A9C1D" + "0" * 24, WHEN, "json") == "lead-manage-3f2a9c1d-20261130-1504.json"


def test_the_year_has_four_digits_before_year_1000_too():
    assert export_filename(None, ID, datetime(999, 1, 2, 3, 4), "zip") == "lead-manage-3f2a9c1d-09990102-0304.zip"


def test_the_name_part_is_cut_at_40_characters():
    assert export_filename("a" * 40, ID, WHEN, "json") == f"lead-manage-{'a' * 40}-3f2a9c1d-20261130-1504.json"
    assert export_filename("a" * 41, ID, WHEN, "json") == f"lead-manage-{'a' * 40}-3f2a9c1d-20261130-1504.json"
    assert export_filename("a" * 39 + " b", ID, WHEN, "json") == \
        f"lead-manage-{'a' * 39}-3f2a9c1d-20261130-1504.json", "a cut never leaves a dash at the end"


def test_only_a_json_or_a_zip_is_named():
    with pytest.raises(ValueError, match="not 'exe'"):
        export_filename("Ann", ID, WHEN, "exe")


learner_ids = st.text("0123456789abcdef", min_size=32, max_size=32)
times = st.datetimes(min_value=datetime(1000, 1, 1), max_value=datetime(9999, 12, 31))


@settings(max_examples=500, deadline=None)
@given(learner=st.none() | st.text() | st.text("CcOoNnUuLlPpRrAaXx123 .", max_size=8), learner_id=learner_ids,
       when=times, suffix=st.sampled_from(["json", "zip"]))
def test_every_file_name_is_safe_on_every_file_system(learner, learner_id, when, suffix):
    name = export_filename(learner, learner_id, when, suffix)
    assert NAME.match(name) and name.endswith("." + suffix)
    assert len(name) <= 100
    assert name.split(".")[0].upper() not in RESERVED
    assert ".." not in name


names = st.none() | st.sampled_from(["", "  ", "李雷", "★", "Sam Lee", "sam lee", "Sam-Lee-1a2b3c4d"]) | st.text()


@settings(max_examples=500, deadline=None)
@given(first=learner_ids, second=learner_ids, learner=names, other=names, when=times, same_name=st.booleans())
def test_two_learners_never_get_the_same_file_name_whatever_names_they_type(first, second, learner, other, when,
                                                                            same_name):
    if first[:8] == second[:8]:  # the short id is the first 8 hex digits, as the course shows it elsewhere
        second = format((int(second[:8], 16) + 1) % 16 ** 8, "08x") + second[8:]
    other = learner if same_name else other  # the same typed name, in the same minute, is the case that collided
    assert export_filename(learner, first, when, "json") != export_filename(other, second, when, "json")


def test_the_same_name_in_the_same_minute_gives_two_files():
    first, second = "1a2b3c4d" + "0" * 24, "1a2b3c4e" + "0" * 24
    assert export_filename("Sam Lee", first, WHEN, "json") != export_filename("Sam Lee", second, WHEN, "json")
    assert export_filename("Sam Lee", first, WHEN, "json") == export_filename("Sam Lee", first[:8] + "f" * 24, WHEN,
                                                                              "json"), "only the short id is shown"


# -- 2. a .zip handed in instead of the .json ------------------------------------------------------
ZIP_NAME = "lead-manage-ann-lee-3f2a9c1d-20261130-1504.zip"
INSTEAD = ("use the .json file named lead-manage-ann-lee-3f2a9c1d-20261130-1504.json from the same download "
           "instead (or the lead-manage-export.json inside the .zip)")


def course_zip(store, learner="Ann Lee") -> bytes:
    return bundle_zip(store, learner)[0]


def test_a_course_zip_imports_exactly_as_its_json(store, tmp_path):
    from course.instruments import action_plan
    from course.plan import LESSON, field_key

    fill(store)
    store.save_reflection(LESSON, field_key(action_plan().fields[0].id), "I lead a team of six.")
    archive, names = bundle_zip(store, "Ann Lee")
    assert len(names) == 4, "export, portfolio, chart and plan: the largest .zip the course makes"
    inside = zipfile.ZipFile(io.BytesIO(archive)).read(EXPORT_MEMBER)
    assert parse_export(archive) == parse_export(inside)
    by_zip = ProgressStore(tmp_path / "zip.sqlite3")
    by_json = ProgressStore(tmp_path / "json.sqlite3")
    assert import_work(by_zip, archive, ZIP_NAME).added == import_work(by_json, inside).added == {
        "attempts": 2, "reflections": 3, "ratings": 1}
    for copy in (by_zip, by_json):
        assert copy.attempts() == store.attempts() and copy.reflection_revisions() == store.reflection_revisions()
        assert copy.rating_rows() == store.rating_rows() and copy.learner_id == store.learner_id
    assert import_work(by_zip, archive).added == {"attempts": 0, "reflections": 0, "ratings": 0}, "idempotent"


def test_a_course_zip_from_a_path_imports_and_is_named_after_it(store, tmp_path):
    fill(store)
    path = tmp_path / ZIP_NAME
    path.write_bytes(course_zip(store))
    assert import_work(ProgressStore(tmp_path / "other.sqlite3"), path).added["attempts"] == 2
    path.write_bytes(course_zip(store)[:-30])  # cut short
    with pytest.raises(ExportError, match=re.escape(INSTEAD)):
        import_work(ProgressStore(tmp_path / "third.sqlite3"), path)


def _zip(members: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns of a repeated name, which one hostile archive holds
        with zipfile.ZipFile(buffer, "w", method) as archive:
            for name, data in members.items() if isinstance(members, dict) else members:
                archive.writestr(name, data)
    return buffer.getvalue()


def _export_bytes() -> bytes:
    return json.dumps({"format": "lead-manage-export", "version": 2, "exported_at": "2026-11-30T15:04:00+00:00",
                       "learner": "Ann", "attempts": [], "reflections": [], "ratings": []}).encode()


def _zeros(name: str, size: int, then: dict[str, bytes] | None = None) -> bytes:
    """An archive with a member of `size` zero bytes (deflated about a thousand to one)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open(name, "w", force_zip64=size > 2 ** 31) as member:
            chunk = bytes(1024 * 1024)
            for _ in range(size // len(chunk)):
                member.write(chunk)
        for other, data in (then or {}).items():
            archive.writestr(other, data)
    return buffer.getvalue()


def _central(data: bytes, field: str, value: int) -> bytes:
    """Change one field of the first member's central directory entry (and its local header for the flags)."""
    out = bytearray(data)
    at = data.index(b"PK\x01\x02")
    offset, fmt = {"flags": (8, "<H"), "compressed": (20, "<I"), "size": (24, "<I")}[field]
    struct.pack_into(fmt, out, at + offset, value)
    if field == "flags":
        struct.pack_into("<H", out, 6, value)  # the local header of the first member
    return bytes(out)


def _first_size(data: bytes) -> int:
    return zipfile.ZipFile(io.BytesIO(data)).infolist()[0].file_size


def _bomb_in_the_export():
    return _zeros(EXPORT_MEMBER, 16 * 1024 * 1024)


def _bomb_beside_the_export():
    return _zeros("reflections-portfolio.md", 200 * 1024 * 1024, {EXPORT_MEMBER: _export_bytes()})


def _header_claims_too_much():
    data = _zip({EXPORT_MEMBER: _export_bytes()})
    return _central(data, "size", 4 * 1024 * 1024)  # a few hundred packed bytes cannot give 4 MB


def _header_claims_too_little():
    data = _zip({EXPORT_MEMBER: _export_bytes()})
    return _central(data, "size", 20)


def _more_than_the_header_says():
    """6 MB of spaces inside, a header that says 5 MB: within deflate's ratio and the size limit."""
    data = _zip({EXPORT_MEMBER: b'{"format": "lead-manage-export", "x": "' + b" " * (6 * 1024 * 1024) + b'"}'})
    return _central(data, "size", 5 * 1024 * 1024)


def _encrypted():
    return _central(_zip({EXPORT_MEMBER: _export_bytes()}), "flags", 0x1)


def _lzma():
    return _zip({EXPORT_MEMBER: _export_bytes()}, zipfile.ZIP_LZMA)


def _many(count):
    return lambda: _zip([(EXPORT_MEMBER if n == 0 else f"x{n}.md", b"x") for n in range(count)], zipfile.ZIP_STORED)


def _nested():
    return _zip({EXPORT_MEMBER: _zip({EXPORT_MEMBER: _export_bytes()})})


def _too_large():
    import os

    return _zip({EXPORT_MEMBER: os.urandom(5 * 1024 * 1024)}, zipfile.ZIP_STORED)


HOSTILE = {
    "bomb in the export": (_bomb_in_the_export, "holds an export of 16,777,216 bytes, and an export is at most 5,242,880"),
    "bomb beside the export": (_bomb_beside_the_export, "would unpack to 2\\d\\d,\\d{3},\\d{3} bytes.*zip bomb"),
    "a header that claims too much": (_header_claims_too_much, "claims to unpack to far more.*zip bomb"),
    "a header that claims too little": (_header_claims_too_little, "is damaged: the export inside it cannot be read"),
    "more inside than the header says": (_more_than_the_header_says, "is damaged: the export inside it cannot be read"),
    "a password": (_encrypted, "holds a file locked with a password"),
    "another packing": (_lzma, "is packed in a way this course does not use"),
    "nine members": (_many(9), "holds 9 files, and a .zip from this course holds at most 4"),
    "10,000 members": (_many(10_000), "holds 10,000 files"),
    "parent folder": (lambda: _zip({"../" + EXPORT_MEMBER: _export_bytes()}), "name points outside the archive"),
    "inner parent folder": (lambda: _zip({"a/../" + EXPORT_MEMBER: _export_bytes()}), "points outside the archive"),
    "absolute path": (lambda: _zip({"/" + EXPORT_MEMBER: _export_bytes()}), "name points outside the archive"),
    "backslash": (lambda: _zip({"a\\" + EXPORT_MEMBER: _export_bytes()}), "name points outside the archive"),
    "drive letter": (lambda: _zip({"C:" + EXPORT_MEMBER: _export_bytes()}), "name points outside the archive"),
    "no export": (lambda: _zip({"reflections-portfolio.md": b"# notes"}),
                  "holds no lead-manage-export.json: a download leaves it out when the work is too large"),
    "only a chart": (lambda: _zip({"profile-chart.png": b"png"}), "holds no lead-manage-export.json, so it is not"),
    "another zip": (lambda: _zip({"holiday.jpg": b"jpg", "notes.txt": b"x"}), "is not one this course made"),
    "an export with company": (lambda: _zip({EXPORT_MEMBER: _export_bytes(), "run-me.py": b"x"}),
                               "is not one this course made"),
    "an export in a folder": (lambda: _zip({"my work/" + EXPORT_MEMBER: _export_bytes()}), "is not one this course made"),
    "the same name twice": (lambda: _zip([(EXPORT_MEMBER, _export_bytes()), (EXPORT_MEMBER, b"{}")]),
                            "holds two files with the same name"),
    "an archive inside": (_nested, "archives inside archives are not opened"),
    "not a zip after all": (lambda: b"PK\x03\x04" + bytes(100), "is damaged, or is not a .zip this course made"),
    "an empty zip": (lambda: _zip({}), "holds no lead-manage-export.json, so it is not"),
    "over 5 MB": (_too_large, "this .zip is 5,24\\d,\\d{3} bytes, and a file handed in is at most 5,242,880"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_zip_is_refused_quickly_with_a_sentence_and_changes_nothing(store, tmp_path, monkeypatch, case):
    make, reason = HOSTILE[case]
    data = make()
    fill(store)
    before, learner_id = store.counts(), store.learner_id
    monkeypatch.chdir(tmp_path)
    files = sorted(tmp_path.rglob("*"))
    start = time.perf_counter()
    with pytest.raises(ExportError) as info:
        import_work(store, data, ZIP_NAME)
    assert time.perf_counter() - start < 2
    message = str(info.value)
    assert re.search(reason, message), message
    assert message.startswith("this .zip ") and message.endswith("; " + INSTEAD), "says what to send instead"
    assert store.counts() == before and store.learner_id == learner_id
    assert sorted(tmp_path.rglob("*")) == files, "nothing unpacked or written"


def test_the_member_limit_is_eight_files():
    from course.exchange import MAX_ZIP_MEMBERS

    assert MAX_ZIP_MEMBERS == 8
    with pytest.raises(ExportError) as info:
        parse_export(_many(8)())
    assert "is not one this course made" in str(info.value), "eight files are counted, then judged by their names"
    with pytest.raises(ExportError, match="holds 9 files"):
        parse_export(_many(9)())


def test_the_export_inside_may_be_5_mb_and_not_a_byte_more():
    head = _export_bytes()[:-1] + b', "pad": "'
    at_limit = head + b"x" * (5 * 1024 * 1024 - len(head) - 2) + b'"}'
    assert len(at_limit) == 5 * 1024 * 1024
    assert parse_export(_zip({EXPORT_MEMBER: at_limit}))["learner"] == "Ann"
    past = at_limit[:-2] + b'x"}'
    with pytest.raises(ExportError, match="holds an export of 5,242,881 bytes, and an export is at most 5,242,880"):
        parse_export(_zip({EXPORT_MEMBER: past}))


def test_deflates_own_limit_is_allowed_and_one_past_it_is_not():
    data = _zip({EXPORT_MEMBER: _export_bytes()})
    packed = zipfile.ZipFile(io.BytesIO(data)).infolist()[0].compress_size
    at_limit = _central(data, "size", 1032 * packed + 64)
    assert parse_export(at_limit)["learner"] == "Ann", "a header that claims more than is there reads what is there"
    with pytest.raises(ExportError, match="zip bomb"):
        parse_export(_central(data, "size", 1032 * packed + 65))


@pytest.mark.parametrize("name, says", [
    (None, "lead-manage-….json"),
    ("lead-manage-3f2a9c1d-20261130-1504.zip", "lead-manage-3f2a9c1d-20261130-1504.json"),
    ("class/Ann/lead-manage-ann-lee-3f2a9c1d-20261130-1504.ZIP", "lead-manage-ann-lee-3f2a9c1d-20261130-1504.json"),
    ("lead-manage-ann-lee-20261130-1504.zip", "lead-manage-ann-lee-20261130-1504.json"),  # named before the short id
    # renamed by the browser or the file manager because a file of that name was already there
    ("lead-manage-sam-lee-1a2b3c4d-20261130-1504 (1).zip", "lead-manage-sam-lee-1a2b3c4d-20261130-1504.json"),
    ("lead-manage-sam-lee-1a2b3c4d-20261130-1504(12).zip", "lead-manage-sam-lee-1a2b3c4d-20261130-1504.json"),
    ("lead-manage-sam-lee-1a2b3c4d-20261130-1504 copy.zip", "lead-manage-sam-lee-1a2b3c4d-20261130-1504.json"),
    ("lead-manage-sam-lee-1a2b3c4d-20261130-1504 copy 2.zip", "lead-manage-sam-lee-1a2b3c4d-20261130-1504.json"),
    ("lead-manage-sam-lee-1a2b3c4d-20261130-1504 - Copy.zip", "lead-manage-sam-lee-1a2b3c4d-20261130-1504.json"),
    ("lead-manage-sam-lee-1a2b3c4d-20261130-1504 - Copy (2).ZIP", "lead-manage-sam-lee-1a2b3c4d-20261130-1504.json"),
    ("lead-manage-sam-lee-1a2b3c4d-20261130-1504 (1) (1).zip", "lead-manage-sam-lee-1a2b3c4d-20261130-1504.json"),
    ("lead-manage-work-20261130-1504 (1).zip", "lead-manage-export-….json"),
    ("lead-manage-sam lee.zip", "lead-manage-….json"),    # a space the course never writes: not a name it gave
    ("lead-manage-sam-lee (x).zip", "lead-manage-….json"),
    ("lead-manage-sam-lee-copy.zip", "lead-manage-sam-lee-copy.json"),  # the course's own name may end in "copy"
    ("my work (1).zip", "lead-manage-….json"),
    (" (1).zip", "lead-manage-….json"),
    ("lead-manage-work-20261130-1504.zip", "lead-manage-export-….json"),
    ("<b>x</b>.zip", "lead-manage-….json"),
    ("my work.zip", "lead-manage-….json"),
])
def test_the_refusal_names_the_json_to_hand_in(name, says):
    with pytest.raises(ExportError) as info:
        parse_export(_zip({"notes.txt": b"x"}), name)
    assert str(info.value).endswith(f"use the .json file named {says} from the same download instead "
                                   "(or the lead-manage-export.json inside the .zip)")
    assert "<b>" not in str(info.value)


def test_a_zip_of_the_older_kind_without_consent_still_imports(store, tmp_path):
    doc = json.loads(_export_bytes())
    doc["version"] = 1
    data = _zip({EXPORT_MEMBER: json.dumps(doc).encode(), "reflections-portfolio.md": b"# x"})
    assert import_work(store, data).added == {"attempts": 0, "reflections": 0, "ratings": 0}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tail=st.binary(max_size=2000))
def test_anything_after_a_zip_header_is_an_export_error(tail):
    try:
        parse_export(b"PK\x03\x04" + tail)
    except ExportError:
        pass


def _a_course_zip() -> bytes:
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        store = ProgressStore(Path(folder) / "p.sqlite3")
        fill(store)
        data = course_zip(store)
        store.close()
    return data


COURSE_ZIP = None


# Where a change does most: the headers (local, central directory, end record), or anywhere at all.
_PLACES = {"local": b"PK\x03\x04", "central": b"PK\x01\x02", "end": b"PK\x05\x06", "anywhere": None}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(changes=st.lists(st.tuples(st.sampled_from(sorted(_PLACES)), st.integers(0, 10 ** 6), st.integers(0, 255)),
                        min_size=1, max_size=6),
       cut=st.none() | st.integers(0, 10 ** 6))
def test_a_course_zip_with_any_bytes_changed_is_read_or_refused_as_an_export_error(changes, cut):
    global COURSE_ZIP
    if COURSE_ZIP is None:
        COURSE_ZIP = _a_course_zip()
    data = bytearray(COURSE_ZIP)
    for place, at, value in changes:
        starts = [m.start() for m in re.finditer(re.escape(_PLACES[place]), COURSE_ZIP)] if _PLACES[place] else [0]
        at = starts[at % len(starts)] + (at % 46 if _PLACES[place] else at)
        data[4 + (at - 4) % (len(data) - 4)] = value  # the first four bytes stay a zip header
    if cut is not None:
        data = data[:4 + cut % len(data)]
    try:
        parse_export(bytes(data))
    except ExportError:
        pass


# -- 3. consent to quote reflections -----------------------------------------------------------------
def test_consent_is_off_until_chosen_and_the_export_says_true_or_false(store):
    assert sharing_chosen(store) is False
    assert export_file(store).doc["share_reflections"] is False
    choose_sharing(store, True)
    assert store.get("share_reflections") == "true" and sharing_chosen(store) is True
    assert export_file(store).doc["share_reflections"] is True
    assert export_file(store, share_reflections=False).doc["share_reflections"] is False, "the view's box wins"
    choose_sharing(store, False)
    assert json.loads(export_file(store).text)["share_reflections"] is False


@pytest.mark.parametrize("stored", ["1", "yes", "True", "", "true "])
def test_a_value_the_course_did_not_write_is_no_consent(store, stored):
    store.set("share_reflections", stored)
    assert sharing_chosen(store) is False


@pytest.mark.parametrize("value, accepted", [(True, True), (False, True), ("true", False), (1, False), (None, False)])
def test_the_schema_takes_only_true_or_false(value, accepted):
    doc = {**json.loads(_export_bytes()), "share_reflections": value}
    if accepted:
        assert shares_reflections(parse_export(json.dumps(doc))) is value
    else:
        with pytest.raises(ExportError, match="at share_reflections: a value of the wrong type"):
            parse_export(json.dumps(doc))


def test_an_export_without_the_field_shares_nothing_and_still_imports(store):
    doc = parse_export(_export_bytes())
    assert "share_reflections" not in doc and shares_reflections(doc) is False
    assert import_work(store, _export_bytes()).added == {"attempts": 0, "reflections": 0, "ratings": 0}


@pytest.mark.parametrize("here, there", [(None, True), (False, True), (True, False), (True, True), (None, False)])
def test_an_import_never_changes_the_choice_made_on_this_copy(store, tmp_path, here, there):
    other = ProgressStore(tmp_path / "other.sqlite3")
    other.save_reflection("two-words", "r1", "written on Binder")
    choose_sharing(other, there)
    if here is not None:
        choose_sharing(store, here)
    for data in (export_file(other).text, bundle_zip(other)[0]):
        import_work(store, data)
        assert sharing_chosen(store) is (here is True), "consent is given on this copy, never by a file"


# -- the download panel: names, consent box, hand-in line ---------------------------------------------
class _Now(datetime):
    @classmethod
    def now(cls, tz=None):
        return cls(2026, 11, 30, 15, 4)


def _links(html):
    return {name: base64.b64decode(data) for name, data in
            re.findall(r'download="([^"]+)" href="data:[^;]+(?:;charset=utf-8)?;base64,([^"]+)"', html)}


@pytest.fixture
def panel(store, monkeypatch):
    import widgets.course_views as views

    monkeypatch.setattr(views, "datetime", _Now)
    view = views.DownloadWork(store)
    yield view
    view.close()  # no recount left waiting to read the store after the test has closed it


HANDIN = ("To hand in your work, send <code>{}</code> (the .json, not the .zip) the way your trainer asks: "
          "a shared folder, an LMS upload or email.")


def test_the_panel_names_both_files_after_the_learner(panel, store):
    short = store.learner_id[:8]
    assert panel.json_filename == f"lead-manage-{short}-20261130-1504.json"
    panel.json_button.click()
    assert list(_links(panel.export_link.value)) == [panel.json_filename]
    assert HANDIN.format(panel.json_filename) in panel.export_link.value
    panel.name.value = "Zoë <b>Lee</b>"
    assert panel.json_filename == f"lead-manage-zoe-b-lee-b-{short}-20261130-1504.json"
    panel.json_button.click()
    assert list(_links(panel.export_link.value)) == [panel.json_filename]
    assert HANDIN.format(panel.json_filename) in panel.export_link.value
    panel.button.click()
    ((zip_name, archive),) = _links(panel.links.value).items()
    assert zip_name == panel.zip_filename == f"lead-manage-zoe-b-lee-b-{short}-20261130-1504.zip"
    assert import_work(ProgressStore(store.path.with_name("x.sqlite3")), archive, zip_name).kept_id == store.learner_id


def test_the_consent_box_is_off_by_default_and_remembered(panel, store):
    import widgets.course_views as views

    assert panel.share.description == "Let my trainer quote my reflections, without my name, in the class discussion"
    assert panel.share.value is False and panel.share in panel.children
    panel.json_button.click()
    (data,) = _links(panel.export_link.value).values()
    assert json.loads(data)["share_reflections"] is False
    panel.share.value = True
    assert store.get("share_reflections") == "true"
    panel.json_button.click()
    (data,) = _links(panel.export_link.value).values()
    assert json.loads(data)["share_reflections"] is True, "the download follows the box at once"
    panel.button.click()
    (archive,) = _links(panel.links.value).values()
    assert json.loads(zipfile.ZipFile(io.BytesIO(archive)).read(EXPORT_MEMBER))["share_reflections"] is True
    assert views.DownloadWork(store).share.value is True, "remembered for next time"
    panel.share.value = False
    assert store.get("share_reflections") == "false" and views.DownloadWork(store).share.value is False
    panel.json_button.click()
    (data,) = _links(panel.export_link.value).values()
    assert json.loads(data)["share_reflections"] is False


def test_a_choice_the_store_cannot_keep_still_goes_into_this_download(panel, store, monkeypatch, caplog):
    import sqlite3

    def fail(key, value):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(store, "set", fail)
    panel.share.value = True
    panel.json_button.click()
    (data,) = _links(panel.export_link.value).values()
    assert json.loads(data)["share_reflections"] is True and sharing_chosen(store) is False
    assert any("quoting reflections" in r.getMessage() for r in caplog.records if r.levelname == "WARNING")


def _shared_in_links(panel) -> list[bool]:
    """Return what every download link on the panel says about quoting reflections, .json and .zip alike."""
    said = []
    for name, data in _links(panel.export_link.value + panel.links.value).items():
        raw = zipfile.ZipFile(io.BytesIO(data)).read(EXPORT_MEMBER) if name.endswith(".zip") else data
        said.append(json.loads(raw)["share_reflections"])
    return said


def _learners_in_links(panel) -> list[str | None]:
    said = []
    for name, data in _links(panel.export_link.value + panel.links.value).items():
        raw = zipfile.ZipFile(io.BytesIO(data)).read(EXPORT_MEMBER) if name.endswith(".zip") else data
        said.append(json.loads(raw)["learner"])
    return said


@pytest.mark.parametrize("store_fails", [False, True])
def test_withdrawn_consent_leaves_no_link_on_the_page_that_says_yes(panel, store, monkeypatch, caplog, store_fails):
    import sqlite3

    store.record_attempt("start-here", "born-or-made", 1, True, 1.0)
    panel.recount_delay = 0  # a recount at each write, so nothing waits for a timer
    panel.share.value = True
    panel.button.click()
    panel.json_button.click()
    assert _shared_in_links(panel) == [True, True], "both files were built with the box ticked"
    if store_fails:
        def fail(key, value):
            raise sqlite3.OperationalError("disk I/O error")

        monkeypatch.setattr(store, "set", fail)
    panel.share.value = False
    assert _shared_in_links(panel) == [], "no link built before the change is left on the page"
    assert "download again" in panel.links.value and 'role="status"' in panel.links.value
    assert panel.trigger.outputs == (), "nothing is left for the page to click"
    assert sharing_chosen(store) is store_fails, "a store that fails still holds the earlier choice"
    assert ("could not be saved for next time" in panel.links.value) is store_fails, "and the learner is told"
    panel.button.click()
    panel.json_button.click()
    assert _shared_in_links(panel) == [False, False], "the next clicks build both files afresh"
    if store_fails:
        assert any("quoting reflections" in r.getMessage() for r in caplog.records if r.levelname == "WARNING")


def test_a_changed_name_leaves_no_link_on_the_page_with_the_old_name(panel, store):
    panel.name.value = "Sam Lee"
    panel.button.click()
    panel.json_button.click()
    assert _learners_in_links(panel) == ["Sam Lee", "Sam Lee"]
    panel.name.value = "Sam Lee."  # the same file name, another name inside the file
    assert _learners_in_links(panel) == [] and "download again" in panel.links.value
    panel.json_button.click()
    panel.button.click()
    assert _learners_in_links(panel) == ["Sam Lee.", "Sam Lee."]


def test_a_change_before_any_download_says_nothing_about_links(panel):
    panel.share.value = True
    panel.name.value = "Sam"
    assert panel.links.value == "" and 'href="data:' not in panel.export_link.value


def test_work_too_large_for_one_file_has_no_json_name_but_a_zip_name(store, monkeypatch):
    import widgets.course_views as views
    from course.exchange import ExportTooLarge

    def too_large(*args, **kwargs):
        raise ExportTooLarge(6 * 1024 * 1024)

    monkeypatch.setattr(views, "datetime", _Now)
    monkeypatch.setattr("course.exchange.export_file", too_large)
    view = views.DownloadWork(store)
    assert view.json_filename == "" and "To hand in" not in view.export_link.value
    assert view.zip_filename == f"lead-manage-{store.learner_id[:8]}-20261130-1504.zip"


def test_the_upload_panel_takes_a_course_zip_and_explains_a_foreign_one(store, tmp_path):
    from widgets.course_views import UploadWork

    other = ProgressStore(tmp_path / "other.sqlite3")
    other.save_reflection("two-words", "r1", "from Binder")
    view = UploadWork(store)
    assert ".zip" in view.upload.accept.split(",") and ".json" in view.upload.accept.split(",")
    view.merge_bytes(ZIP_NAME, bundle_zip(other, "Ann Lee")[0])
    assert "✔" in view.result.value and "1 new reflection revision" in view.result.value
    view.merge_bytes(ZIP_NAME, _zip({"notes.txt": b"x"}))
    assert 'role="alert"' in view.result.value and escape_html(INSTEAD) in view.result.value


def escape_html(text):
    from html import escape

    return escape(text)
