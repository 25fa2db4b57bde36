from __future__ import annotations

import numpy as np
import pytest

from civicflow.assistant import (
    Assistant,
    AssistantError,
    Bm25,
    LanguageIndex,
    Passage,
    RankingOptions,
    content_hash,
    evaluate,
    language_of,
    parse_cases,
    tokens,
)

from .fakes import BagOfWordsEmbedder


def _passage(pid: str, language: str, title: str, text: str, service: str = "permit") -> Passage:
    return Passage(
        id=pid,
        language=language,
        service=service,
        service_title="Building permit" if service else "",
        title=title,
        text=text,
        url=f"/portal/{service}/#{pid}",
    )


EN = [
    _passage("fee", "en", "What it costs", "The fee depends on the floor area of the building."),
    _passage("time", "en", "How long it takes", "We decide within eight weeks of a complete application."),
    _passage("appeal", "en", "Objection", "Object within six weeks of the decision if you disagree."),
    _passage("contact", "en", "Contact", "Write to us by email on working days.", service=""),
    _passage("refund", "en", "Refund", "Claiming a tax refund is free.", service="tax"),
]
NL = [
    _passage("fee", "nl", "Wat het kost", "De leges hangen af van de vloeroppervlakte van het gebouw."),
    _passage("time", "nl", "Hoe lang het duurt", "Wij beslissen binnen acht weken na een volledige aanvraag."),
    _passage("appeal", "nl", "Bezwaar", "Maak binnen zes weken na het besluit bezwaar als u het oneens bent."),
    _passage("contact", "nl", "Contact", "Schrijf ons per e-mail op werkdagen.", service=""),
    _passage("refund", "nl", "Teruggaaf", "Belastingteruggaaf aanvragen is gratis.", service="tax"),
]


def _assistant(options: RankingOptions | None = None) -> Assistant:
    embedder = BagOfWordsEmbedder()
    indexes = {
        language: LanguageIndex.build(found, embedder.embed(LanguageIndex.texts(found)))
        for language, found in (("en", EN), ("nl", NL))
    }
    return Assistant(indexes, embedder, options or RankingOptions(threshold=0.3))


def test_tokens_fold_case_accents_stop_words_and_endings() -> None:
    assert tokens("How much are the DOCUMENTS for Patiënten?") == ["much", "document", "patient"]
    assert tokens("kosten kost") == ["kost", "kost"]
    assert tokens("in 2026 the") == []


def test_bm25_prefers_the_rarer_shared_word_and_scores_zero_without_overlap() -> None:
    bm25 = Bm25(["fee building area", "building weeks", "building objection"])
    scores = bm25.scores("building fee")
    assert scores[0] > scores[1] > 0
    assert scores[1] == pytest.approx(scores[2])
    assert bm25.scores("weather") == [0.0, 0.0, 0.0]
    assert bm25.knows("fee")
    assert not bm25.knows("weather")


def test_the_best_matching_passage_ranks_first_and_is_quoted() -> None:
    answer = _assistant().ask("what fee do I pay for my floor area?")
    assert answer.answered
    assert answer.hits[0].passage.id == "fee"
    assert answer.quoted[0].passage.text == EN[0].text  # verbatim
    assert all(hit.score >= answer.threshold for hit in answer.quoted)
    assert [hit.score for hit in answer.hits] == sorted((hit.score for hit in answer.hits), reverse=True)


def test_the_page_language_chooses_the_passages() -> None:
    answer = _assistant().ask("hoe maak ik bezwaar tegen het besluit", language="nl-BE")
    assert answer.language == "nl"
    assert answer.hits[0].passage.id == "appeal"
    assert {hit.passage.language for hit in answer.hits} == {"nl"}
    assert _assistant().ask("fee", language="fr").language == "en"


def test_a_question_unlike_any_passage_is_declined() -> None:
    answer = _assistant().ask("who won the football match?")
    assert not answer.answered
    assert answer.quoted == ()
    assert not _assistant().ask("   ").answered


def test_the_threshold_decides_whether_to_answer() -> None:
    question = "building fee"
    best = _assistant().ask(question).hits[0].score
    assert _assistant(RankingOptions(threshold=best)).ask(question).answered
    assert not _assistant(RankingOptions(threshold=best + 1e-6)).ask(question).answered


def test_a_service_page_ranks_its_own_and_the_general_passages_only() -> None:
    answer = _assistant(RankingOptions(threshold=0.0, top=10)).ask("is it free?", service="permit")
    assert {hit.passage.service for hit in answer.hits} == {"permit", ""}
    assert "refund" in {hit.passage.id for hit in _assistant(RankingOptions(top=10)).ask("is it free?").hits}


def test_an_index_needs_one_vector_per_passage_and_every_language() -> None:
    with pytest.raises(AssistantError, match="2 passages need 4 vectors, not 2"):
        LanguageIndex.build(EN[:2], np.ones((2, 4), dtype=np.float32))
    only_en = {"en": LanguageIndex.build(EN, np.ones((2 * len(EN), 4), dtype=np.float32))}
    with pytest.raises(AssistantError, match="no passages for language nl"):
        Assistant(only_en, BagOfWordsEmbedder())


def test_content_hash_changes_with_any_text_or_the_model() -> None:
    base = content_hash(EN, model="m1")
    assert base == content_hash(list(EN), model="m1")
    assert base != content_hash(EN, model="m2")
    edited = [*EN[:-1], _passage("refund", "en", "Refund", "Claiming a tax refund costs 5 euros.", service="tax")]
    assert base != content_hash(edited, model="m1")


def test_language_of() -> None:
    assert language_of("NL-be") == "nl"
    assert language_of("de") == "en"


def test_evaluation_counts_top_hits_and_declines() -> None:
    cases = parse_cases(
        {
            "questions": [
                {"q": "what fee for the floor area", "expected": "fee"},
                {"q": "bezwaar maken tegen het besluit", "lang": "nl", "expected": "appeal"},
                {"q": "football results", "expected": "time"},
                {"q": "how long does it take in weeks", "expected": ["appeal", "time"]},
            ],
            "out_of_scope": [{"q": "weather tomorrow"}, {"q": "building fee area"}],
        }
    )
    report = evaluate(_assistant(), cases)
    figures = report.as_dict()
    assert (figures["in_scope"], figures["top3_hits"], figures["answered_with_expected"]) == (4, 3, 3)
    assert (figures["out_of_scope"], figures["declined"]) == (2, 1)
    assert report.hit_rate == pytest.approx(3 / 4)
    assert [outcome.rank for outcome in report.in_scope] == [1, 1, None, 1]
    assert {failure["question"] for failure in figures["failures"]} == {"football results", "building fee area"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "expected a mapping"),
        ({"questions": "x"}, "'questions' must be a list"),
        ({"questions": [{"q": "fee?"}]}, r"questions\[1\] needs the .expected. passage id"),
        ({"questions": [{"q": "fee?", "expected": ["fee", 3]}]}, r"questions\[1\] needs the .expected. passage id"),
        ({"questions": [{"q": "fee?", "lang": "de", "expected": "fee"}]}, "language must be one of en, nl"),
        ({"out_of_scope": [{"q": ""}]}, r"out_of_scope\[1\] needs a question"),
        ({}, "no questions"),
    ],
)
def test_bad_evaluation_files_are_refused_with_the_place(data: object, message: str) -> None:
    with pytest.raises(AssistantError, match=message):
        parse_cases(data, source="q.yaml")


def test_an_expected_id_no_passage_has_is_an_error() -> None:
    cases = parse_cases({"questions": [{"q": "fee", "expected": "nope"}]})
    with pytest.raises(AssistantError, match="unknown passage ids: nope"):
        evaluate(_assistant(), cases)
