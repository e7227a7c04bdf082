"""Tests of the Python package: the native Cleaner and PatternSet, and the pipeline step."""

import os
import pickle
import random
import tempfile
import threading
import time

import pytest

import dechrome
from dechrome import (
    DEFAULT_MAX_REMOVAL,
    Cleaner,
    CleanStep,
    PatternError,
    PatternSet,
    Removal,
    clean_text,
)

RULES = """
[[rule]]
id = "test.share.bar"
family = "share"
scope = "line"
phrases = ["Share this article", "Share on Facebook"]

[[rule]]
id = "test.newsletter.signup"
family = "newsletter"
scope = "sentence"
phrases = ["Sign up to our newsletter"]
"""

BODY = (
    "The council voted on Tuesday to rebuild the harbour wall before winter.\n"
    "Work starts in March and should end before the autumn tides.\n"
)
INDEPENDENT = BODY + "Join our commenting forum\nComments\n"


@pytest.fixture(scope="module")
def rules() -> PatternSet:
    return PatternSet.from_toml(RULES, origin="test.toml")


@pytest.fixture(scope="module")
def cleaner(rules: PatternSet) -> Cleaner:
    return Cleaner(rules, max_removal=1.0)


def test_builtin_rules_clean_an_independent_comment_tail():
    text, removals = Cleaner(PatternSet.builtin()).clean(INDEPENDENT)
    assert text == BODY
    assert removals == [
        Removal("independent.comments.forum-tail", "comments", "tail", len(BODY), len(INDEPENDENT)),
        Removal("generic.comments.heading", "comments", "tail", len(INDEPENDENT) - 9, len(INDEPENDENT)),
    ]
    assert INDEPENDENT[removals[0].start : removals[0].end]== "Join our commenting forum\nComments\n"


def test_removal_offsets_count_characters_not_bytes(cleaner: Cleaner):
    doc = "Ünïcödé 🎉 naïve café — 東京の記事。\nShare this article\nDer Rat stimmte zu.\n"
    text, removals = cleaner.clean(doc)
    assert text == "Ünïcödé 🎉 naïve café — 東京の記事。\nDer Rat stimmte zu.\n"
    assert len(removals) == 1
    r = removals[0]
    assert (r.rule_id, r.family, r.scope) == ("test.share.bar", "share", "line")
    assert (r.start, r.end) == (30, 49)
    assert doc[r.start : r.end] == "Share this article\n"


def test_sentence_scope_and_several_removals_in_document_order(cleaner: Cleaner):
    doc = "Share on Facebook\nPrices rose. Sign up to our newsletter. Wages did not.\n"
    text, removals = cleaner.clean(doc)
    assert text == "Prices rose. Wages did not.\n"
    assert [(r.rule_id, r.scope) for r in removals] == [
        ("test.share.bar", "line"),
        ("test.newsletter.signup", "sentence"),
    ]
    assert doc[removals[1].start : removals[1].end].startswith("Sign up to our newsletter.")


def test_unchanged_text_comes_back_equal_with_no_removals(cleaner: Cleaner):
    doc = "Nothing to see here.\n"
    assert cleaner.clean(doc) == (doc, [])
    outcome = cleaner.inspect(doc)
    assert (outcome.text, outcome.removals, outcome.verdict, outcome.removed_share) == (
        doc,
        [],
        "unchanged",
        0.0,
    )
    assert outcome.message is None


def test_refused_text_is_returned_unchanged_and_inspect_says_why(rules: PatternSet):
    doc = "Short.\nShare this article\n"
    strict = Cleaner(rules, max_removal=0.5)
    with pytest.warns(dechrome.RefusedWarning) as caught:
        assert strict.clean(doc) == (doc, [])
    assert [str(w.message) for w in caught] == [
        "refused: the rules would remove 73% of the paragraph text (limit 50%); left unchanged"
    ]
    assert caught[0].filename == __file__, "the warning points at the caller"
    outcome = strict.inspect(doc)
    assert outcome.verdict == "refused"
    assert outcome.text == doc
    assert [r.rule_id for r in outcome.removals] == ["test.share.bar"]
    assert outcome.removed_share == pytest.approx(19 / 26)
    assert outcome.message == (
        "refused: the rules would remove 73% of the paragraph text (limit 50%); left unchanged"
    )
    # The same text under a looser guard is cleaned.
    assert Cleaner(rules, max_removal=0.8).clean(doc)[0] == "Short.\n"


def test_refusals_warn_unless_ignored(rules: PatternSet):
    import warnings

    doc = "Short.\nShare this article\n"
    assert issubclass(dechrome.RefusedWarning, UserWarning)
    strict = Cleaner(rules, max_removal=0.5)
    assert strict.on_refusal == "warn"
    with pytest.warns(dechrome.RefusedWarning) as caught:
        assert strict.clean_batch([doc, "Fine.\n", doc]) == [(doc, []), ("Fine.\n", []), (doc, [])]
    assert len(caught) == 2
    quiet = Cleaner(rules, max_removal=0.5, on_refusal="ignore")
    assert quiet.on_refusal == "ignore"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert quiet.clean(doc) == (doc, [])
        assert quiet.clean_batch([doc]) == [(doc, [])]
        # A text that is cleaned or unchanged never warns.
        assert strict.clean("Fine.\n") == ("Fine.\n", [])
    # Turned into errors, the warning stops the call.
    with warnings.catch_warnings():
        warnings.simplefilter("error", dechrome.RefusedWarning)
        with pytest.raises(dechrome.RefusedWarning):
            strict.clean(doc)
    with pytest.raises(ValueError, match='on_refusal must be "warn" or "ignore", got "raise"'):
        Cleaner(rules, on_refusal="raise")


HARBOUR_PACK = """
[pack]
name = "harbour"
publisher = "Harbour Gazette"
hosts = ["harbourgazette.example"]

[[rule]]
id = "harbour.share.labels"
family = "share"
scope = "line"
phrases = ["recipes"]
"""

HARBOUR_TEXT = (
    "The ferry timetable changes on Monday, the harbour office said this week.\n"
    "Recipes\n"
    "The winter timetable keeps two sailings a day until the end of March.\n"
)


def test_publisher_names_a_pack():
    packs = PatternSet.from_toml(HARBOUR_PACK, origin="harbour.toml")
    cleaned = (
        "The ferry timetable changes on Monday, the harbour office said this week.\n"
        "The winter timetable keeps two sailings a day until the end of March.\n"
    )
    # Without a name or a signature the pack stays off.
    anyone = Cleaner(packs)
    assert anyone.publisher is None
    assert anyone.clean(HARBOUR_TEXT) == (HARBOUR_TEXT, [])
    # Named for every text, or for one text (by URL), it applies.
    named = Cleaner(packs, publisher="Harbour Gazette")
    assert named.publisher == "Harbour Gazette"
    text, removals = named.clean(HARBOUR_TEXT)
    assert text == cleaned
    assert [(r.rule_id, r.start, r.end) for r in removals] == [("harbour.share.labels", 74, 82)]
    assert anyone.clean(HARBOUR_TEXT, publisher="https://harbourgazette.example/a")[0] == cleaned
    assert anyone.inspect(HARBOUR_TEXT, publisher="harbour").text == cleaned
    # A text's own name wins over the cleaner's; one that names no pack switches packs off.
    assert named.clean(HARBOUR_TEXT, publisher="elsewhere.example")[0] == HARBOUR_TEXT
    with pytest.raises(
        ValueError,
        match=r'^unknown publisher "nosuch": no pack has that name, publisher name or host '
        r"\(packs: harbour\)$",
    ):
        Cleaner(packs, publisher="nosuch")


def test_version_is_the_crate_version():
    import re

    assert re.fullmatch(r"\d+\.\d+\.\d+", dechrome.__version__)
    assert dechrome.__version__ == dechrome._dechrome.__version__


def test_max_removal_defaults_to_the_library_default_and_is_checked(rules: PatternSet):
    assert 0 < DEFAULT_MAX_REMOVAL < 1
    assert Cleaner(rules).max_removal == DEFAULT_MAX_REMOVAL
    assert Cleaner().max_removal == DEFAULT_MAX_REMOVAL
    assert Cleaner(rules, max_removal=0.5).max_removal == 0.5
    for bad in (-0.1, 1.5, float("nan")):
        with pytest.raises(ValueError, match="max_removal must be between 0 and 1"):
            Cleaner(rules, max_removal=bad)


def test_cleaner_defaults_to_the_builtin_set():
    assert len(Cleaner().patterns) == len(PatternSet.builtin())
    assert Cleaner().clean(INDEPENDENT)[0] == BODY


def test_clean_batch_equals_clean_one_by_one_in_order(cleaner: Cleaner):
    rng = random.Random(7)
    lines = ["Prices rose.", "Share this article", "Wages fell. Sign up to our newsletter. Done.", "Ça va ✓", ""]
    texts = ["\n".join(rng.choice(lines) for _ in range(rng.randrange(1, 12))) for _ in range(500)]
    batch = cleaner.clean_batch(texts)
    assert batch == [cleaner.clean(t) for t in texts]
    assert any(removals for _, removals in batch)
    assert cleaner.clean_batch(iter(texts[:3])) == batch[:3]
    assert cleaner.clean_batch([]) == []


def test_clean_batch_rejects_a_str_and_non_str_items(cleaner: Cleaner):
    with pytest.raises(TypeError, match="sequence of str, not one str"):
        cleaner.clean_batch("Share this article")
    with pytest.raises(TypeError, match="item 1 is bytes, not str"):
        cleaner.clean_batch(["ok", b"bytes"])


def test_lone_surrogates_raise_instead_of_being_cleaned(cleaner: Cleaner):
    with pytest.raises(UnicodeEncodeError):
        cleaner.clean("bad \ud800 text")


def test_clean_batch_releases_the_gil(cleaner: Cleaner):
    # While another thread is inside clean_batch, this thread must keep running Python code.
    doc = ("Prices rose in the city. Share this article\n" * 40 + "Share this article\n") * 5
    texts = [doc] * 4000
    span: list[float] = []

    def work() -> None:
        span.append(time.perf_counter())
        cleaner.clean_batch(texts)
        span.append(time.perf_counter())

    worker = threading.Thread(target=work)
    ticks = []
    worker.start()
    while worker.is_alive():
        ticks.append(time.perf_counter())
        time.sleep(0.001)
    worker.join()
    start, end = span
    assert end - start > 0.05, "the batch was too small to tell"
    middle = [t for t in ticks if start + (end - start) / 4 < t < end - (end - start) / 4]
    assert middle, "no Python code ran while clean_batch was working"


def test_offsets_on_random_unicode_documents(cleaner: Cleaner):
    rng = random.Random(11)
    alphabet = "aéß東京🎉ж ,.;—\u00a0\u200b"
    for _ in range(300):
        parts, chrome = [], []
        for _ in range(rng.randrange(1, 8)):
            if rng.random() < 0.3:
                parts.append("Share this article\n")
                chrome.append(len(parts) - 1)
            else:
                word = "".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 40)))
                parts.append("Para " + word + ".\n")
        doc = "".join(parts)
        text, removals = cleaner.clean(doc)
        assert text == "".join(p for i, p in enumerate(parts) if i not in chrome)
        assert [doc[r.start : r.end] for r in removals] == ["Share this article\n"] * len(chrome)


def test_pattern_sets_from_paths_and_disable(tmp_path, rules: PatternSet):
    (tmp_path / "a.toml").write_text(RULES)
    (tmp_path / "notes.txt").write_text("not a pattern file")
    only = PatternSet.from_paths([tmp_path])
    assert [r.id for r in only.rules()] == ["test.share.bar", "test.newsletter.signup"]
    both = PatternSet.from_paths([str(tmp_path / "a.toml")], builtin=True)
    assert len(both) == len(PatternSet.builtin()) + 2
    without = PatternSet.from_paths([tmp_path], disable=["share"])
    assert [r.id for r in without.rules()] == ["test.newsletter.signup"]
    rule = only.rules()[0]
    assert (rule.family, rule.scope, rule.publisher, rule.lang) == ("share", "line", None, None)
    assert repr(rule) == "Rule(id='test.share.bar', family='share', scope='line')"
    assert repr(only) == "<dechrome.PatternSet with 2 rules>"


def test_disabling_a_builtin_pack_keeps_its_chrome():
    set_ = PatternSet.builtin(disable=["independent"])
    assert not [r for r in set_.rules() if r.id.startswith("independent.")]
    # Other packs may still know some of the same lines; none of the Independent's rules fires.
    _, removals = Cleaner(set_).clean(INDEPENDENT)
    assert not [r for r in removals if r.rule_id.startswith("independent.")]
    assert [r for r in Cleaner(PatternSet.builtin()).clean(INDEPENDENT)[1] if r.rule_id.startswith("independent.")]


def test_bad_pattern_files_raise_with_origin_and_line(tmp_path):
    with pytest.raises(PatternError, match=r"bad\.toml:\d+") as err:
        PatternSet.from_toml('[[rule]]\nid = "x"\nfamily = "nope"\nscope = "line"\nphrases = ["a"]\n', origin="bad.toml")
    assert isinstance(err.value, ValueError)
    missing = tmp_path / "missing.toml"
    with pytest.raises(FileNotFoundError) as err2:
        PatternSet.from_paths([missing])
    assert err2.value.filename == str(missing)


def test_removal_value_semantics():
    a = Removal("r", "share", "line", 1, 5)
    assert a == Removal("r", "share", "line", 1, 5)
    assert a != Removal("r", "share", "line", 1, 6)
    assert len({a, Removal("r", "share", "line", 1, 5)}) == 1
    assert repr(a) == "Removal(rule_id='r', family='share', scope='line', start=1, end=5)"
    with pytest.raises(ValueError, match='unknown scope "page"'):
        Removal("r", "share", "page", 1, 5)


def test_clean_step_is_a_picklable_text_step(tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text(RULES)
    step = CleanStep([path], builtin=False, max_removal=1.0)
    assert step("Hi.\nShare this article\n") == "Hi.\n"
    again = pickle.loads(pickle.dumps(step))
    assert again._cleaner is None
    assert again("Hi.\nShare this article\n") == "Hi.\n"
    assert again.clean_texts(["a\nShare on Facebook\n", "b"]) == ["a\n", "b"]


def test_clean_step_records_and_jsonl(tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text(RULES)
    step = CleanStep([path], builtin=False, max_removal=1.0, removals_key="removed", batch_size=2)
    records = [
        {"id": 1, "text": "é\nShare this article\n"},
        {"id": 2},
        {"id": 3, "text": None},
        {"id": 4, "text": "plain", "removed": []},
    ]
    out = list(step.clean_records(records))
    assert out == [
        {
            "id": 1,
            "text": "é\n",
            "removed": [{"rule": "test.share.bar", "family": "share", "scope": "line", "start": 2, "end": 21}],
        },
        {"id": 2},
        {"id": 3, "text": None},
        {"id": 4, "text": "plain", "removed": []},
    ]
    assert records[0]["text"] == "é\nShare this article\n", "input records are not modified"
    lines = ['{"id": 1, "text": "é\\nShare on Facebook\\n"}', "", '{"id": 2, "text": "x"}']
    assert list(CleanStep([path], builtin=False, max_removal=1.0).clean_jsonl(lines)) == [
        '{"id":1,"text":"é\\n"}',
        '{"id":2,"text":"x"}',
    ]
    # A lone surrogate (valid JSON, not valid Unicode) leaves its record as it was, escaped.
    lines = ['{"id": 5, "text": "bad \\ud800\\nShare this article\\n"}', '{"id": 6, "text": "é\\nShare on Facebook\\n"}']
    assert list(step.clean_jsonl(lines)) == [
        '{"id":5,"text":"bad \\ud800\\nShare this article\\n"}',
        '{"id":6,"text":"é\\n","removed":[{"rule":"test.share.bar","family":"share","scope":"line","start":2,"end":20}]}',
    ]
    with pytest.raises(ValueError, match="invalid JSON record"):
        list(step.clean_jsonl(["{oops"]))
    with pytest.raises(ValueError, match="must be an object"):
        list(step.clean_jsonl(["[1]"]))


def test_clean_step_map_batch_and_validation(tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text(RULES)
    step = CleanStep([path], builtin=False, max_removal=1.0, text_key="content")
    batch = {"content": ["a\nShare this article\n", "b"], "url": ["u1", "u2"]}
    assert step.map_batch(batch) == {"content": ["a\n", "b"], "url": ["u1", "u2"]}
    with pytest.raises(ValueError, match="batch_size must be at least 1"):
        CleanStep(batch_size=0)
    with pytest.raises(ValueError, match="needs pattern files"):
        CleanStep(builtin=False)
    with pytest.raises(PatternError):
        bad = tmp_path / "bad.toml"
        bad.write_text("[[rule]]\n")
        CleanStep([bad])


def test_clean_text_uses_the_builtin_rules():
    assert clean_text(INDEPENDENT) == BODY
    assert dechrome.clean_text is clean_text


def test_the_line_model_is_off_by_default_and_on_when_asked(tmp_path):
    page = (
        "Home\nNews\nSport\nWeather\nCulture\n"
        "The council voted on Tuesday to rebuild the harbour wall before winter.\n"
        "Work starts in March and should end before the autumn tides.\n"
        "Training times\nGift ideas\nLocal heroes\nOur town\nClub news\nMy favourite trails\n"
        "Share this article\nNewsletter\nBack to the overview\n"
        "The mayor said the wall would protect the old market for another century.\n"
    )
    off = Cleaner()
    assert off.model is False
    assert "Back to the overview\n" in off.clean(page)[0]
    on = Cleaner(model=True)
    assert on.model is True
    text, removals = on.clean(page)
    assert "Back to the overview" not in text
    start = page.index("Back to the overview")
    assert Removal("model.navigation", "navigation", "line", start, start + 21) in removals
    with pytest.raises(ValueError, match="cannot read model file"):
        Cleaner(model=str(tmp_path / "missing.toml"))


def test_clean_batch_and_steps_name_each_texts_publisher():
    packs = PatternSet.from_toml(HARBOUR_PACK, origin="harbour.toml")
    cleaned = (
        "The ferry timetable changes on Monday, the harbour office said this week.\n"
        "The winter timetable keeps two sailings a day until the end of March.\n"
    )
    cleaner = Cleaner(packs)
    urls = ["https://harbourgazette.example/a", None, "", "elsewhere.example"]
    got = cleaner.clean_batch([HARBOUR_TEXT] * 4, publishers=urls)
    assert [t for t, _ in got] == [cleaned, HARBOUR_TEXT, HARBOUR_TEXT, HARBOUR_TEXT]
    # None and a blank name fall back to the cleaner's publisher; another name wins over it.
    named = Cleaner(packs, publisher="harbour")
    got = named.clean_batch([HARBOUR_TEXT] * 4, publishers=urls)
    assert [t for t, _ in got] == [cleaned, cleaned, cleaned, HARBOUR_TEXT]
    with pytest.raises(ValueError, match=r"^clean_batch: 3 publishers for 4 texts$"):
        cleaner.clean_batch([HARBOUR_TEXT] * 4, publishers=urls[:3])
    with pytest.raises(TypeError, match=r"^clean_batch: publishers item 1 is int, not str or None$"):
        cleaner.clean_batch([HARBOUR_TEXT] * 2, publishers=["harbour", 7])
    with pytest.raises(TypeError, match=r"^clean_batch: publishers is a sequence"):
        cleaner.clean_batch([HARBOUR_TEXT], publishers="harbour")
    # A pipeline step reads each record's publisher from a field.
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "harbour.toml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(HARBOUR_PACK)
        step = CleanStep([path], builtin=False, publisher_key="url")
        records = [{"text": HARBOUR_TEXT, "url": u} for u in urls] + [{"text": HARBOUR_TEXT}]
        out = [r["text"] for r in step.clean_records(records)]
        assert out == [cleaned] + [HARBOUR_TEXT] * 4
        batch = step.map_batch({"text": [HARBOUR_TEXT] * 2, "url": urls[:2]})
        assert batch["text"] == [cleaned, HARBOUR_TEXT]
        assert batch["url"] == urls[:2]
        fallback = CleanStep([path], builtin=False, publisher="harbour", publisher_key="url")
        out = [r["text"] for r in fallback.clean_records(records)]
        assert out == [cleaned, cleaned, cleaned, HARBOUR_TEXT, cleaned]
