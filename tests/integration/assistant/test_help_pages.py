"""/portal/help/ and /portal/<service>/help/: the plain GET form, quotes with links, declines, limits."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from django.utils.html import escape

from civicflow.assistant import Assistant
from civicflow.portal import _help_model
from civicflow.portal._help_passages import passages
from support.portal_citizen import client
from unit.assistant.fakes import BagOfWordsEmbedder

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["en", "nl"])
def test_every_passage_is_quoted_verbatim_on_the_page_its_link_opens_at_its_anchor(language: str) -> None:
    browser = client(language)
    pages: dict[str, str] = {}
    found = passages(language)
    assert len(found) >= 40
    assert len({passage.id for passage in found}) == len(found)
    for passage in found:
        page, anchor = passage.url.split("#")
        if page not in pages:
            response = browser.get(page)
            assert response.status_code == 200, page
            pages[page] = response.content.decode()
        html = pages[page]
        assert f'id="{anchor}"' in html, passage.url
        for part in passage.text.split("\n"):  # a list on the page is one line per item
            assert escape(part) in html, (passage.id, part)


def test_the_help_page_works_as_a_plain_form(real_assistant: Assistant) -> None:
    response = client("en").get("/portal/help/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<form method="get" action="/portal/help/"' in html
    assert 'name="q"' in html
    assert 'id="faq-contact"' in html
    assert 'href="/portal/building_permit/help/"' in html


def test_a_question_is_answered_with_quotes_and_links(real_assistant: Assistant) -> None:
    response = client("en").get("/portal/help/", {"q": "what do I pay for a building permit?"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "What our guides say" in html
    fee = next(p for p in passages("en") if p.id == "building_permit.faq.fee")
    assert f'<blockquote class="govuk-body" cite="{fee.url}">{escape(fee.text)}</blockquote>' in html
    assert f'href="{fee.url}"' in html
    assert 'value="what do I pay for a building permit?"' in html  # the form keeps the question
    assert response["Referrer-Policy"] == "no-referrer"  # links from here do not carry the question


def test_the_dutch_page_answers_from_the_dutch_passages(real_assistant: Assistant) -> None:
    html = client("nl").get("/portal/help/", {"q": "wat kost een omgevingsvergunning?"}).content.decode()
    fee = next(p for p in passages("nl") if p.id == "building_permit.faq.fee")
    assert escape(fee.text) in html
    english = next(p for p in passages("en") if p.id == "building_permit.faq.fee")
    assert escape(english.text) not in html


def test_an_out_of_scope_question_is_declined_with_the_contact(real_assistant: Assistant, settings: object) -> None:
    html = client("en").get("/portal/help/", {"q": "who won the football match last night?"}).content.decode()
    assert "know the answer to that" in html
    assert "<blockquote" not in html
    assert 'href="mailto:' in html


def test_a_service_page_answers_from_that_service_and_the_general_passages(real_assistant: Assistant) -> None:
    response = client("en").get("/portal/tax_refund/help/", {"q": "how much does it cost to claim a refund?"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="faq-years"' in html
    cites = [part.split('"')[0] for part in html.split('cite="')[1:]]
    assert cites
    assert all(cite.startswith(("/portal/tax_refund/", "/portal/help/")) for cite in cites)
    assert client().get("/portal/nope/help/").status_code == 404


def test_the_help_pages_are_rate_limited_per_client_like_the_other_public_pages(
    real_assistant: Assistant, settings: Any
) -> None:
    settings.CIVICFLOW_PUBLIC_RATE_LIMITS = {"assistant": (2, 60)}
    visitor = client("en", address="10.9.9.9")
    assert visitor.get("/portal/help/", {"q": "fee"}).status_code == 200
    assert visitor.get("/portal/tax_refund/help/", {"q": "fee"}).status_code == 200
    refused = visitor.get("/portal/help/", {"q": "fee"})
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert "too many attempts" in refused.content.decode()
    assert client("en", address="10.9.9.10").get("/portal/help/", {"q": "fee"}).status_code == 200


def test_the_question_is_not_logged_or_stored(real_assistant: Assistant, caplog: pytest.LogCaptureFixture) -> None:
    from django.apps import apps

    from civicflow.web.models import RateCount

    others = [model for model in apps.get_models() if model is not RateCount]
    counts = {model: model.objects.count() for model in others}
    with caplog.at_level(logging.DEBUG):
        client("en").get("/portal/help/", {"q": "secret-question-marker 1234"})
    assert "secret-question-marker" not in caplog.text
    assert {model: model.objects.count() for model in others} == counts
    # the rate limit's counter: a hash of the client and a count, nothing of the question
    assert not any("secret" in row.key or "10.0.0.1" in row.key for row in RateCount.objects.all())


def test_only_get_is_allowed() -> None:
    assert client().post("/portal/help/", {"q": "fee"}).status_code == 405


def test_passage_vectors_are_cached_by_content_and_model(tmp_path: Path) -> None:
    first = BagOfWordsEmbedder()
    _help_model.build_assistant(first, folder=tmp_path)
    assert len(first.calls) == 2  # one batch per language
    files = sorted(path.name for path in tmp_path.iterdir())
    assert len(files) == 2
    second = BagOfWordsEmbedder()
    built = _help_model.build_assistant(second, folder=tmp_path)
    assert second.calls == []  # loaded from the cache
    assert built.ask("building permit fee", language="en").hits
    other = BagOfWordsEmbedder()
    other.name = "another-model"
    _help_model.build_assistant(other, folder=tmp_path)
    assert len(other.calls) == 2  # another model: new vectors
    assert len(list(tmp_path.iterdir())) == 4


def test_the_access_log_leaves_out_query_strings_and_referrers() -> None:
    from civicflow.site import gunicorn_conf

    assert "%(U)s" in gunicorn_conf.access_log_format
    for field in ("%(r)s", "%(q)s", "%(f)s"):  # request line, query string, referrer
        assert field not in gunicorn_conf.access_log_format
