"""Translation memory: what `update` reuses from earlier weeks and archives."""

from __future__ import annotations

import json
import random
from pathlib import Path

import polib
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers import msgfmt_check, run, write_source
from transflow.catalogs.memory import MemoryEntry, TranslationMemory, patch_numbers

FRONT = "title: {title}\ncategory: security"
P1 = "On March 5, about 1,500 troops took part in the drills near the border."
P1_RU = "5 марта в учениях у границы приняли участие около 1 500 военнослужащих."
P2 = "The authorities stressed that the exercises are purely defensive in nature."
P2_RU = "Власти подчеркнули, что учения носят исключительно оборонительный характер."


def po_path(root: Path, week: str, lang: str = "ru") -> Path:
    return root / "locales" / lang / "LC_MESSAGES" / f"{week}.po"


def find(root: Path, week: str, msgid: str) -> polib.POEntry:
    return next(e for e in polib.pofile(str(po_path(root, week))) if e.msgid == msgid)


@pytest.fixture
def first_week(mini: Path) -> Path:
    write_source(mini, "2019-W10", "drills", FRONT.format(title="Drills"), f"{P1}\n\n{P2}")
    run(mini, "update")
    catalog = polib.pofile(str(po_path(mini, "2019-W10")))
    for e in catalog:
        e.msgstr = {P1: P1_RU, P2: P2_RU, "Drills": "Учения"}[e.msgid]
    catalog.save(str(po_path(mini, "2019-W10")))
    return mini


def test_exact_match_from_another_week(first_week: Path) -> None:
    write_source(first_week, "2019-W11", "more-drills", FRONT.format(title="More drills"),
                 f"A new opening paragraph about something else entirely.\n\n{P2}")
    result = run(first_week, "update")
    assert "1 from translation memory" in result.output
    entry = find(first_week, "2019-W11", P2)
    assert entry.msgstr == P2_RU
    assert "fuzzy" not in entry.flags
    assert entry.tcomment == "translation memory: 2019-W10 drills"
    assert find(first_week, "2019-W11", "More drills").msgstr == ""
    assert msgfmt_check(po_path(first_week, "2019-W11")).returncode == 0


def test_similar_match_is_fuzzy_with_previous_and_score(first_week: Path) -> None:
    edited = P2.replace("purely defensive", "strictly defensive")
    write_source(first_week, "2019-W11", "more", FRONT.format(title="More"), edited)
    run(first_week, "update")
    entry = find(first_week, "2019-W11", edited)
    assert entry.msgstr == P2_RU
    assert "fuzzy" in entry.flags
    assert entry.previous_msgid == P2
    assert entry.tcomment.startswith("translation memory: ")
    score = int(entry.tcomment.split(": ")[1].split("%")[0])
    assert 75 <= score < 100


def test_only_a_number_changed_patches_the_number(first_week: Path) -> None:
    changed = P1.replace("March 5", "March 12").replace("1,500", "2,000")
    write_source(first_week, "2019-W11", "drills-again", FRONT.format(title="Again"), changed)
    run(first_week, "update")
    entry = find(first_week, "2019-W11", changed)
    assert entry.msgstr == P1_RU.replace("5 марта", "12 марта").replace("1 500", "2 000")
    assert "fuzzy" in entry.flags
    assert entry.tcomment.endswith("numbers updated")
    assert entry.previous_msgid == P1


def test_unrelated_text_gets_nothing(first_week: Path) -> None:
    other = "Grain procurement prices were raised for the second time this year."
    write_source(first_week, "2019-W11", "grain", FRONT.format(title="Grain"), other)
    run(first_week, "update")
    entry = find(first_week, "2019-W11", other)
    assert entry.msgstr == "" and not entry.flags


def test_human_translation_is_never_replaced(first_week: Path) -> None:
    write_source(first_week, "2019-W11", "more", FRONT.format(title="More"), P2)
    run(first_week, "update")
    catalog = polib.pofile(str(po_path(first_week, "2019-W11")))
    entry = catalog.find(P2, msgctxt="more")
    entry.msgstr, entry.tcomment = "Свой перевод переводчика.", ""
    catalog.save(str(po_path(first_week, "2019-W11")))
    run(first_week, "update")
    run(first_week, "update")
    assert find(first_week, "2019-W11", P2).msgstr == "Свой перевод переводчика."


def test_update_stays_idempotent_with_memory(first_week: Path) -> None:
    write_source(first_week, "2019-W11", "more", FRONT.format(title="More"), f"{P1}\n\n{P2}")
    run(first_week, "update")
    before = po_path(first_week, "2019-W11").read_bytes()
    run(first_week, "update")
    assert po_path(first_week, "2019-W11").read_bytes() == before


def test_status_counts_entries_from_memory(first_week: Path) -> None:
    write_source(first_week, "2019-W11", "more", FRONT.format(title="More"), f"{P1}\n\n{P2}")
    run(first_week, "update")
    rows = json.loads(run(first_week, "status", "--json", "--week", "2019-W11").stdout)
    ru = next(r for r in rows if r["lang"] == "ru")
    assert ru["from_memory"] == 2


def test_archive_files_feed_the_memory(mini: Path) -> None:
    archive = mini / "archive"
    archive.mkdir()
    (archive / "old.tmx").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4"><header srclang="en"/>'
        '<body><tu><tuv xml:lang="en"><seg>' + P2 + '</seg></tuv>'
        '<tuv xml:lang="ru-RU"><seg>' + P2_RU + "</seg></tuv></tu></body></tmx>\n",
        encoding="utf-8")
    old = polib.POFile()
    old.metadata = {"Language": "ru", "Content-Type": "text/plain; charset=UTF-8"}
    old.append(polib.POEntry(msgid="Drills", msgstr="Учения"))
    old.save(str(archive / "old.po"))
    with (mini / "transflow.toml").open("a", encoding="utf-8") as f:
        f.write('\n[memory]\nfiles = ["archive/old.tmx", "archive/old.po"]\nthreshold = 80\n')
    write_source(mini, "2019-W10", "drills", FRONT.format(title="Drills"), P2)
    run(mini, "update")
    assert find(mini, "2019-W10", P2).msgstr == P2_RU
    assert find(mini, "2019-W10", P2).tcomment == "translation memory: archive/old.tmx"
    assert find(mini, "2019-W10", "Drills").msgstr == "Учения"


def test_lookup_and_number_patching_units() -> None:
    memory = TranslationMemory([MemoryEntry("Talks in Vilnius.", "Переговоры в Вильнюсе.", "a")])
    assert memory.lookup("Talks in Vilnius.", 75).score == 100
    assert memory.lookup("Talks in Vilnius!", 75).score < 100
    assert memory.lookup("Something else", 75) is None
    assert patch_numbers("Up 7% in 2020.", "Up 5% in 2019.", "Рост на 5% в 2019 году.") == (
        "Рост на 7% в 2020 году.")
    assert patch_numbers("Up 7% in 2020!", "Up 5% in 2019.", "Рост на 5%.") is None
    assert patch_numbers("1,250.5 t", "2,000.5 t", "2 000,5 т") == "1 250,5 т"


def test_a_hostile_tmx_archive_is_refused(first_week: Path) -> None:
    # An entity bomb: the stdlib parser would expand it to gigabytes.
    bomb = ('<?xml version="1.0"?>\n<!DOCTYPE tmx [<!ENTITY a "aaaaaaaaaa">'
            '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
            '<tmx version="1.4"><body><tu><tuv xml:lang="en"><seg>&b;</seg></tuv>'
            '<tuv xml:lang="ru"><seg>x</seg></tuv></tu></body></tmx>\n')
    (first_week / "archive.tmx").write_text(bomb, encoding="utf-8")
    with (first_week / "transflow.toml").open("a", encoding="utf-8") as f:
        f.write('\n[memory]\nfiles = ["archive.tmx"]\n')
    write_source(first_week, "2019-W11", "more", FRONT.format(title="More"), P2)
    result = run(first_week, "update")
    assert result.exit_code == 1
    assert "archive.tmx: cannot read translation memory" in result.output
    assert "Traceback" not in result.output


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="abcde ", min_size=0, max_size=30), max_size=40),
       st.text(alphabet="abcde ", min_size=1, max_size=30),
       st.sampled_from([40.0, 60.0, 75.0, 90.0]))
def test_the_length_window_finds_what_a_search_of_everything_finds(
        texts: list[str], query: str, cutoff: float) -> None:
    from rapidfuzz import fuzz, process

    from transflow.catalogs.similarity import Choices

    everything = process.extractOne(query, texts, scorer=fuzz.ratio, score_cutoff=cutoff)
    found = Choices(texts).best(query, cutoff)
    if everything is None:
        assert found is None
    else:
        assert found is not None
        assert found[1] == pytest.approx(everything[1])
        assert found[0] == everything[2]  # the earliest of equals, as before


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(alphabet="abcde ", min_size=0, max_size=30), max_size=40),
       st.lists(st.text(alphabet="abcde ", min_size=1, max_size=30), min_size=1, max_size=8),
       st.sampled_from([40.0, 60.0, 75.0, 90.0]))
def test_many_lookups_at_once_find_what_each_finds_alone(
        texts: list[str], queries: list[str], cutoff: float) -> None:
    from transflow.catalogs.similarity import Choices

    choices = Choices(texts)
    together = choices.best_of_many(queries, cutoff)
    for query, found in zip(queries, together, strict=True):
        alone = choices.best(query, cutoff)
        if alone is None:
            assert found is None
        else:
            assert found is not None and found[0] == alone[0]
            assert found[1] == pytest.approx(alone[1])


# A memory too large to compare every entry: the 4-gram index chooses the candidates.
PLACES = ("Lithuania", "Poland", "Latvia", "Ukraine", "Vilnius", "Warsaw", "Riga", "Kyiv",
          "Hrodna", "Brest", "Vitebsk", "Homel", "Mahilyow", "Minsk")
STEMS = ("ministr", "author", "sanction", "budget", "region", "council", "transit",
         "export", "pension", "inflat", "deleg", "parliament", "deput", "reform",
         "secur", "neighbour", "cooperat", "agreement", "price", "currenc", "harvest",
         "elect", "opposit", "court", "sentenc", "detain", "protest", "media", "border",
         "railway", "fertiliz", "potash", "refiner", "tariff", "subsid", "enterpris")
ENDINGS = ("", "s", "al", "ies", "ion", "ed", "ing", "ary")


def large_memory(rng: random.Random, size: int) -> list[str]:
    """Sentences of inflected words from a few hundred, many naming one of a few
    places, and some short headings."""
    words = [s + e for s in STEMS for e in ENDINGS] + ["the", "of", "and", "in", "on"] * 6
    texts = []
    for n in range(size):
        if n % 10 == 0:
            texts.append(f"{rng.choice(PLACES)}: {rng.choice(words)}")
            continue
        body = rng.choices(words, k=rng.randint(8, 24))
        body.insert(rng.randrange(len(body)), rng.choice(PLACES))
        texts.append(" ".join(body).capitalize() + ".")
    return texts


def reworded(text: str, rng: random.Random) -> str:
    words = text.split()
    kind = rng.randrange(4)
    if kind == 0:  # another place
        return " ".join(rng.choice(PLACES) if w in PLACES else w for w in words)
    if kind == 1:  # other endings
        return " ".join(w + rng.choice(ENDINGS) if rng.random() < 0.4 else w for w in words)
    if kind == 2:  # typing slips
        letters = list(text)
        for _ in range(max(1, len(letters) // 30)):
            letters[rng.randrange(len(letters))] = rng.choice("aeiou")
        return "".join(letters)
    half = len(words) // 2  # the two halves swapped
    return " ".join(words[half:] + words[:half])


def everything_best(texts: list[str], query: str, cutoff: float) -> tuple[int, float] | None:
    from rapidfuzz import fuzz, process

    found = process.extractOne(query, texts, scorer=fuzz.ratio, score_cutoff=cutoff)
    return None if found is None else (found[2], found[1])


def test_a_large_memory_finds_what_a_search_of_every_entry_finds() -> None:
    from transflow.catalogs import similarity

    rng = random.Random(7)
    texts = large_memory(rng, 3 * similarity.EXHAUSTIVE)
    queries = [reworded(rng.choice(texts), rng) for _ in range(150)]
    queries += [rng.choice(large_memory(rng, 20)) for _ in range(50)]  # mostly new
    choices = similarity.Choices(texts)
    alone = [choices.best(q, 75.0) for q in queries]
    assert choices._grams is not None, "the index was not used: the test proves nothing"
    together = choices.best_of_many(queries, 75.0, workers=2)
    matched = 0
    for query, one, many in zip(queries, alone, together, strict=True):
        truth = everything_best(texts, query, 75.0)
        assert (one is None) == (truth is None), query
        assert (many is None) == (truth is None), query
        if truth is not None:
            matched += 1
            assert one is not None and many is not None
            assert one[0] == many[0] == truth[0], query
            assert one[1] == pytest.approx(truth[1]) == many[1]
    assert matched >= 100  # most rewordings stay above the threshold


def test_a_large_memory_finds_a_sentence_that_names_another_place() -> None:
    from transflow.catalogs import similarity

    rng = random.Random(11)
    texts = large_memory(rng, 2 * similarity.EXHAUSTIVE)
    # Hundreds of entries share the query's rarest 4-grams (the place) and nothing
    # else; the one to find shares everything but the place.
    texts += [f"Lithuania {t}" for t in large_memory(rng, 600)]
    wanted = "The delegation from Poland will continue the talks on transit next week."
    texts.insert(5000, wanted)
    query = wanted.replace("Poland", "Lithuania")
    found = similarity.Choices(texts).best(query, 75.0)
    assert found is not None and texts[found[0]] == wanted


def test_a_short_text_is_looked_up_among_every_text_of_its_length() -> None:
    from transflow.catalogs import similarity

    rng = random.Random(3)
    texts = [*large_memory(rng, 3 * similarity.EXHAUSTIVE), "Minsk: budget talks"]
    found = similarity.Choices(texts).best("Minsk: budget talk", 90.0)
    assert found is not None and texts[found[0]] == "Minsk: budget talks"


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(alphabet="abcdef gh", min_size=0, max_size=40), max_size=40),
       st.text(alphabet="abcdef gh", min_size=1, max_size=40),
       st.sampled_from([40.0, 60.0, 75.0, 90.0]))
def test_an_indexed_search_returns_only_scores_it_computed(
        texts: list[str], query: str, cutoff: float) -> None:
    from rapidfuzz import fuzz

    from transflow.catalogs import similarity

    # Every window counts as wide here, so the 4-gram index always ranks.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(similarity, "EXHAUSTIVE", 0)
        found = similarity.Choices(texts).best(query, cutoff)
    best = everything_best(texts, query, cutoff)
    if found is None:
        return
    assert best is not None
    assert found[1] >= cutoff
    assert found[1] == pytest.approx(fuzz.ratio(query, texts[found[0]]))
    assert found[1] <= best[1] + 1e-9


def test_the_index_keeps_no_4_gram_across_two_texts() -> None:
    from transflow.catalogs import similarity

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(similarity, "_SAMPLE", 1)  # every 4-gram kept
        keys = similarity._keys(["abcdef", "xy", "ghij", "klmnop"], 0, 4)
    assert sorted(int(k) & 0xFFFFFFFF for k in keys) == [0, 0, 0, 2, 3, 3, 3]
