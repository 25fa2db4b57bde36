"""The satisfaction question at the end of an application: one answer per application, 1..5 and a comment."""

from __future__ import annotations

import pytest
from django.test import Client

from civicflow.portal._satisfaction import COMMENT_MAX
from civicflow.portal.models import Application, SatisfactionResponse
from civicflow.runtime import jobs, services
from civicflow.runtime.reference import deploy_reference_services
from support.portal_citizen import RT_ANSWERS, apply, client

pytestmark = pytest.mark.django_db


@pytest.fixture
def deployed(monkeypatch: pytest.MonkeyPatch) -> None:
    deploy_reference_services()
    monkeypatch.setitem(jobs.HANDLERS, "email", lambda job: None)


def _finished(browser: Client) -> tuple[str, Application]:
    reference = apply(browser, "record_transfer", RT_ANSWERS)
    application = Application.objects.get(reference=reference)
    services.cancel_instance(application.instance_id)
    return reference, application


@pytest.mark.parametrize(
    ("language", "question", "first"),
    [
        ("en", "How satisfied are you with this service?", "Very satisfied"),
        ("nl", "Hoe tevreden bent u", "Zeer tevreden"),
    ],
)
def test_a_finished_application_asks_the_question(deployed: None, language: str, question: str, first: str) -> None:
    browser = client(language)
    reference = apply(browser, "record_transfer", RT_ANSWERS)
    status = f"/portal/applications/{reference}/"
    assert question not in browser.get(status).content.decode()  # not while it runs
    services.cancel_instance(Application.objects.get(reference=reference).instance_id)
    html = browser.get(status).content.decode()
    assert question in html
    assert html.count('name="score" type="radio"') == 5
    assert html.index(first) < html.index('name="comment"')
    assert f'action="/portal/applications/{reference}/satisfaction/"' in html


def test_the_final_confirmation_asks_it_too(deployed: None) -> None:
    browser = client()
    reference = apply(browser, "record_transfer", RT_ANSWERS)
    html = browser.get(f"/portal/applications/{reference}/submitted/").content.decode()
    assert "How satisfied are you with this service?" in html


def test_an_answer_is_stored_once_per_application(deployed: None) -> None:
    browser = client("nl")
    reference, application = _finished(browser)
    path = f"/portal/applications/{reference}/satisfaction/"
    response = browser.post(path, {"score": "4", "comment": "  Snel geregeld.  "})
    assert response.status_code == 302
    assert response["Location"] == f"/portal/applications/{reference}/#satisfaction"
    stored = SatisfactionResponse.objects.get()
    assert (stored.service, stored.reference, stored.score, stored.comment, stored.language) == (
        "record_transfer",
        reference,
        4,
        "Snel geregeld.",
        "nl",
    )
    assert stored.answered_at is not None
    html = browser.get(f"/portal/applications/{reference}/").content.decode()
    assert "Bedankt voor uw reactie" in html
    assert 'name="score"' not in html
    browser.post(path, {"score": "1", "comment": "changed my mind"})
    assert SatisfactionResponse.objects.get().score == 4  # the first answer stays
    assert application.reference == stored.reference


@pytest.mark.parametrize(
    ("posted", "message", "anchor"),
    [
        ({"comment": "no score"}, "Select how satisfied you are with this service", "#score"),
        ({"score": "6"}, "Select how satisfied you are with this service", "#score"),
        ({"score": "3", "comment": "x" * (COMMENT_MAX + 1)}, "characters or fewer", "#comment"),
    ],
)
def test_a_wrong_answer_is_an_error_summary_and_nothing_is_stored(
    deployed: None, posted: dict[str, str], message: str, anchor: str
) -> None:
    browser = client()
    reference, _application = _finished(browser)
    response = browser.post(f"/portal/applications/{reference}/satisfaction/", posted)
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html
    assert message in html
    assert f'href="{anchor}"' in html
    assert "<title>Error:" in html
    assert not SatisfactionResponse.objects.exists()


def test_other_peoples_applications_are_404(deployed: None) -> None:
    reference, _application = _finished(client())
    assert client().post(f"/portal/applications/{reference}/satisfaction/", {"score": "5"}).status_code == 404
    assert not SatisfactionResponse.objects.exists()
