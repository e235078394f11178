import io
import json
import math
import zipfile

import pytest

from course.exchange import bundle_zip, export_json
from course.instruments import action_plan, self_assessment
from course.plan import check_plan, plan_markdown
from course.profile import chart_png, profiles, score_profile, summary_lines

INSTRUMENT = self_assessment()


def test_instrument_shape():
    assert len(INSTRUMENT.items) == 24 and len(INSTRUMENT.clusters) == 6
    before = INSTRUMENT.for_phase("before")
    for cluster in INSTRUMENT.clusters:
        poles = sorted(i.pole for i in before if i.cluster == cluster.id)
        assert poles == ["leading", "managing"], "the short version keeps one item per pole per cluster"
    with pytest.raises(KeyError):
        INSTRUMENT.for_phase("during")


def test_all_ones_and_all_fives():
    ones = score_profile(INSTRUMENT, {i.id: 1 for i in INSTRUMENT.items})
    fives = score_profile(INSTRUMENT, {i.id: 5 for i in INSTRUMENT.items})
    assert (ones[["leading", "managing"]] == 1).all().all()
    assert (fives[["leading", "managing"]] == 5).all().all()
    assert (fives["leading_answered"] == 2).all() and (fives["managing_items"] == 2).all()


def test_unanswered_items_are_left_out_not_counted_as_zero():
    first = INSTRUMENT.clusters[0].id
    leading = [i for i in INSTRUMENT.items if i.cluster == first and i.pole == "leading"]
    scored = score_profile(INSTRUMENT, {leading[0].id: 4, leading[1].id: None})
    assert scored.loc[first, "leading"] == 4 and scored.loc[first, "leading_answered"] == 1
    assert math.isnan(scored.loc[first, "managing"])
    assert math.isnan(scored.loc[INSTRUMENT.clusters[1].id, "leading"])


def test_out_of_range_values_are_ignored():
    item = INSTRUMENT.items[0]
    assert math.isnan(score_profile(INSTRUMENT, {item.id: 9}).loc[item.cluster, item.pole])
    assert math.isnan(score_profile(INSTRUMENT, {item.id: True}).loc[item.cluster, item.pole])


def test_mixed_means():
    cluster = INSTRUMENT.clusters[2].id
    items = [i for i in INSTRUMENT.items if i.cluster == cluster]
    ratings = {i.id: (2 if i.pole == "leading" else 5) for i in items}
    ratings[items[0].id] = 3 if items[0].pole == "leading" else ratings[items[0].id]
    scored = score_profile(INSTRUMENT, ratings)
    leading = [ratings[i.id] for i in items if i.pole == "leading"]
    assert scored.loc[cluster, "leading"] == pytest.approx(sum(leading) / len(leading))
    assert scored.loc[cluster, "managing"] == 5


def test_before_and_after_from_the_store(store):
    for item in INSTRUMENT.for_phase("before"):
        store.save_rating("before", item.id, 2)
    for item in INSTRUMENT.items:
        store.save_rating("after", item.id, 4)
    store.save_rating("after", INSTRUMENT.items[0].id, 5)  # a changed mind: the latest rating counts
    scored = profiles(INSTRUMENT, store)
    assert set(scored) == {"before", "after"}
    text = "\n".join(summary_lines(INSTRUMENT, scored))
    assert "before the course: leading 2.0 → 4.5" in text
    assert text.count("\n") == len(INSTRUMENT.clusters)


def test_summary_without_ratings():
    assert "No ratings yet" in summary_lines(INSTRUMENT, {})[0]


def test_chart_is_a_png_for_screen_and_file():
    scored = {"after": score_profile(INSTRUMENT, {i.id: 3 for i in INSTRUMENT.items})}
    for for_file in (False, True):
        assert chart_png(INSTRUMENT, scored, for_file=for_file).startswith(b"\x89PNG")


FULL = {
    "context": "I lead a team of six in a busy library while we move to a new booking system this spring term.",
    "behaviour-1": "Explain the why behind the move at every Monday meeting",
    "behaviour-2": "Check the training log against the plan each Friday",
    "practice": "Every Monday at 9 and every Friday at 3",
    "feedback": "Sam, my peer, and my own manager",
    "indicators": "Number of Mondays I explained the reason",
    "review-30": "1 March", "review-60": "1 April", "review-90": "1 May",
}
TAGS = {"behaviour-1": "leading", "behaviour-2": "managing"}


@pytest.mark.parametrize("change, rule, missing", [
    ({"review-30": "x", "review-90": "y"}, "reviews-set", "a date for the day 30 review; a date for the day 90 review"),
    ({"review-60": "soon, after the audit"}, "reviews-set", "a date for the day 60 review"),
    ({"practice": "when I can", "behaviour-1": "Explain the why behind the move"}, "practice-when",
     "when you will practise behaviour 1"),
    ({"feedback": "ask around", "behaviour-2": "Check the training log against the plan each Friday"},
     "feedback-who", "a feedback source, by name or role"),
])
def test_the_checklist_says_what_is_missing(change, rule, missing):
    from course.plan import plan_gaps

    gaps = plan_gaps({**FULL, **change}, TAGS)
    assert missing in "; ".join(gaps[rule])
    assert [r for r, m in gaps.items() if m] == [rule]


@pytest.mark.parametrize("text, dated", [("14 March", True), ("March 14th", True), ("2027-03-14", True),
                                         ("14/03", True), ("the 3rd of May", True), ("x", False),
                                         ("day 30", False), ("next month", False), ("", False)])
def test_a_review_point_needs_a_date(text, dated):
    from course.plan import has_date

    assert has_date(text) is dated


@pytest.mark.parametrize("text, who", [("my manager", True), ("Ade, my peer", True), ("ask the team", True),
                                       ("ask around", False), ("Monday", False), ("", False)])
def test_a_feedback_source_names_someone(text, who):
    from course.plan import has_who

    assert has_who(text) is who


def test_complete_plan_meets_every_rule():
    assert all(check_plan(FULL, TAGS).values())


@pytest.mark.parametrize("change, rule", [
    ({"context": "A team."}, "context-detail"),
    ({"behaviour-2": ""}, "two-behaviours"),
    ({"practice": "when I can", "behaviour-2": "Check the training log against the plan"}, "practice-when"),
    ({"feedback": ""}, "feedback-who"),
    ({"indicators": "more"}, "indicators-observable"),
    ({"review-60": " "}, "reviews-set"),
])
def test_each_rule_notices_what_is_missing(change, rule):
    result = check_plan({**FULL, **change}, TAGS)
    assert not result[rule]
    assert sum(result.values()) == len(result) - (2 if rule == "two-behaviours" else 1)


@pytest.mark.parametrize("tags, met", [
    ({"behaviour-1": "leading", "behaviour-2": "leading"}, False),
    ({"behaviour-1": "managing", "behaviour-2": ""}, False),
    ({"behaviour-1": "both", "behaviour-2": "managing"}, True),
    ({"behaviour-1": "both", "behaviour-2": "both"}, True),
])
def test_leading_and_managing_rule(tags, met):
    assert check_plan(FULL, tags)["leading-and-managing"] is met


def test_plan_markdown_has_fields_tags_and_checklist():
    form = action_plan()
    text = plan_markdown(form, {**FULL, "indicators": ""}, TAGS, "Ada")
    assert text.startswith(f"# {form.title}: Ada")
    assert "(leading)" in text and FULL["behaviour-2"] in text and "*Not written yet.*" in text
    assert "- [x]" in text and f"- [ ] {form.rubric['indicators-observable'][0]}" in text


def test_export_carries_ratings_and_scores_and_the_bundle_everything(store):
    for item in INSTRUMENT.items:
        store.save_rating("after", item.id, 3)
    store.save_reflection("capstone-plan", "plan-context", FULL["context"])
    doc = json.loads(export_json(store))
    assert len(doc["ratings"]) == 24
    assert doc["profile"]["after"][INSTRUMENT.clusters[0].id] == {"leading": 3.0, "managing": 3.0}
    archive, names = bundle_zip(store, "Ada")
    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        assert sorted(z.namelist()) == sorted(names) == sorted(
            ["lead-manage-export.json", "reflections-portfolio.md", "profile-chart.png", "90-day-plan.md"])
        assert z.read("profile-chart.png").startswith(b"\x89PNG")
        assert FULL["context"] in z.read("90-day-plan.md").decode()


def test_bundle_without_ratings_or_plan_skips_them(store):
    _, names = bundle_zip(store)
    assert names == ["lead-manage-export.json", "reflections-portfolio.md"]


def test_self_assessment_view_stores_each_click(store):
    from widgets.profile_views import SelfAssessment

    view = SelfAssessment(INSTRUMENT, "before", store)
    assert len(view.buttons) == 12 and "0 of 12" in view.count_line.value
    first = INSTRUMENT.for_phase("before")[0].id
    view.rate(first, 4)
    view.rate(first, 2)
    assert store.ratings("before") == {first: 2} and "1 of 12" in view.count_line.value
    after = SelfAssessment(INSTRUMENT, "after", store)
    assert after.buttons[first].value is None and len(after.buttons) == 24
    assert "before the course: 2" in after.children[2].children[1].value
    assert SelfAssessment(INSTRUMENT, "before", store).buttons[first].value == 2


def test_all_rated_points_to_where_the_profile_is(store):
    from widgets.profile_views import SelfAssessment

    for phase, where in (("before", "in lesson 12"), ("after", "see your profile below")):
        view = SelfAssessment(INSTRUMENT, phase, store)
        for item in INSTRUMENT.for_phase(phase):
            view.rate(item.id, 3)
        assert "All rated" in view.count_line.value and where in view.count_line.value


def test_profile_view_draws_and_describes(store):
    from widgets.profile_views import ProfileView

    view = ProfileView(INSTRUMENT, store)
    assert view.image.layout.display == "none" and "No ratings yet" in view.summary.value
    for item in INSTRUMENT.items:
        store.save_rating("after", item.id, 5)
    assert view.image.layout.display == "" and bytes(view.image.value).startswith(b"\x89PNG"), "redrawn on change"
    assert "Overall: leading 5.0, managing 5.0" in view.summary.value
    store.save_rating("after", INSTRUMENT.items[0].id, 1)
    view.refresh_button.click()
    assert "Overall: leading 5.0" not in view.summary.value


def test_plan_form_saves_fields_and_updates_the_checklist(store):
    from course.bank import lesson
    from widgets.profile_views import ActionPlanForm

    form = ActionPlanForm(action_plan(), lesson("capstone-plan"), store, debounce=0)
    assert "0 of 7 in place" in form.checklist.value
    for field, text in FULL.items():
        form.boxes[field].area.value = text
    form.tags["behaviour-1"].value = "leading"
    form.tags["behaviour-2"].value = "managing"
    assert "7 of 7 in place" in form.checklist.value
    assert store.reflection("capstone-plan", "plan-context").text == FULL["context"]
    again = ActionPlanForm(action_plan(), lesson("capstone-plan"), store)
    assert again.boxes["practice"].area.value == FULL["practice"] and again.tags["behaviour-2"].value == "managing"
    assert "7 of 7" in again.checklist.value
    form.download_button.click()
    assert 'download="my-90-day-plan.md"' in form.links.value


def test_export_with_ratings_does_not_load_pandas(tmp_path):
    """The live download link rebuilds after each save; it must not pull pandas into a lesson's kernel."""
    import subprocess
    import sys

    code = ("import sys; from course.store import ProgressStore; from course.exchange import export_json; "
            f"s = ProgressStore({str(tmp_path / 'p.sqlite3')!r}); s.save_rating('before', 'direction-l1', 4); "
            "import json; doc = json.loads(export_json(s)); "
            "print(doc['profile']['before']['direction']['leading'], 'pandas' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["4.0", "False"]


@pytest.mark.parametrize("text, dated", [("31/02", False), ("2027-13-45", False), ("meet at 9.30", False),
                                         ("version 2.0", False), ("I may 2", False), ("14-03-2027", True),
                                         ("2027-03-14T10:00", True), ("end of May", True), ("mid-April", True),
                                         ("March 14th", True)])
def test_review_dates_are_real_dates(text, dated):
    from course.plan import has_date

    assert has_date(text) is dated


@pytest.mark.parametrize("text, who", [("Sam will watch me", True), ("ask HR", True), ("my direct reports", True),
                                       ("I will lead the meeting", False), ("I won't tell anyone", False),
                                       ("myself in January", False), ("Every Friday I will check", False)])
def test_who_is_someone_not_a_month_or_a_verb(text, who):
    from course.plan import has_who

    assert has_who(text) is who
