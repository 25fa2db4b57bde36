"""The citizen portal through Django's test client: catalogue, apply, drafts, submit, status, requests."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from civicflow.forms import load_form, render_model
from civicflow.portal._forms import add_item, remove_item
from civicflow.portal._guides import GUIDES
from civicflow.portal.models import Application, Draft
from civicflow.runtime import services
from civicflow.runtime.reference import deploy_reference_services

pytestmark = pytest.mark.django_db

RT_ANSWERS = {
    "patientName": "J. Jansen",
    "patientEmail": "j.jansen@example.org",
    "sourceProvider": "Huisartsenpraktijk De Linde",
    "targetProvider": "Gezondheidscentrum Noord",
    "urgency": "routine",
}


@pytest.fixture
def deployed() -> None:
    deploy_reference_services()


def _client(language: str = "en", **kwargs: Any) -> Client:
    client = Client(**kwargs)
    client.cookies["django_language"] = language
    return client


def _h1(html: str) -> str:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.DOTALL)
    assert match, html
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", match.group(1))).strip()


def _submit(client: Client, service: str = "record_transfer", answers: dict[str, str] = RT_ANSWERS) -> str:
    response = client.post(f"/portal/{service}/apply/", {**answers, "_continue": "1"})
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == f"/portal/{service}/check/"
    response = client.post(f"/portal/{service}/check/")
    assert response.status_code == 302
    match = re.fullmatch(r"/portal/applications/([A-Z]{2}-\d{4}-\d{6})/submitted/", response["Location"])
    assert match, response["Location"]
    return match.group(1)


@pytest.mark.parametrize(
    ("language", "heading", "titles"),
    [
        ("en", "Apply for a service", ["Building permit", "Tax refund", "record"]),
        ("nl", "Een dienst aanvragen", ["Omgevingsvergunning bouwen"]),
    ],
)
def test_catalogue_lists_the_reference_services_in_the_language(language: str, heading: str, titles: list[str]) -> None:
    html = _client(language).get("/portal/").content.decode()
    assert _h1(html) == heading
    for title in titles:
        assert title.lower() in html.lower()
    assert 'href="/portal/building_permit/"' in html


def test_home_page_links_to_the_portal() -> None:
    assert 'href="/portal/"' in Client().get("/").content.decode()


@pytest.mark.parametrize("language", ["en", "nl"])
@pytest.mark.parametrize("service", ["building_permit", "tax_refund", "record_transfer"])
def test_start_page_has_the_guide(service: str, language: str) -> None:
    response = _client(language).get(f"/portal/{service}/")
    html = response.content.decode()
    assert response.status_code == 200
    expected = {
        "en": ["Who can apply", "What you need", "How long it takes", "What it costs", "weeks"],
        "nl": ["Wie kan aanvragen", "Wat u nodig hebt", "Hoe lang het duurt", "Wat het kost", "weken"],
    }
    for text in expected[language]:
        assert text in html
    assert f'href="/portal/{service}/apply/"' in html
    # the step-by-step guide: every step of the service, in the page's language and in order
    steps = [step.get(language) for step in GUIDES[service].steps]
    assert len(steps) >= 4
    assert ("Stap voor stap" if language == "nl" else "Step by step") in html
    positions = [html.index(escape(step)) for step in steps]
    assert positions == sorted(positions)


def test_unknown_service_is_404() -> None:
    assert Client().get("/portal/no_such_service/").status_code == 404
    assert Client().get("/portal/no_such_service/apply/").status_code == 404


@pytest.mark.parametrize("service", ["building_permit", "tax_refund", "record_transfer"])
def test_start_form_renders_with_labels_and_csrf(service: str) -> None:
    html = Client().get(f"/portal/{service}/apply/").content.decode()
    assert 'name="csrfmiddlewaretoken"' in html
    assert re.search(r'<label class="govuk-label[^"]*" for="field-', html)
    assert "Save and come back later" in html


def test_errors_are_summarised_with_links_to_fields_in_dutch() -> None:
    response = _client("nl").post("/portal/record_transfer/apply/", {"patientEmail": "not-an-email", "_continue": "1"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Er is een probleem" in html
    assert '<a href="#field-patientName">' in html
    assert "Vul" in html
    assert 'class="govuk-error-message"' in html
    # radios are a fieldset with a legend; the summary link lands on the first option
    assert '<legend class="govuk-fieldset__legend' in html
    assert 'href="#field-urgency"' in html
    assert 'id="field-urgency"' in html
    assert "<title>Fout:" in html


def test_apply_check_submit_starts_the_process_with_identifiers(deployed: None) -> None:
    client = Client()
    response = client.post("/portal/record_transfer/apply/", {**RT_ANSWERS, "_continue": "1"})
    check = client.get(response["Location"]).content.decode()
    assert "Check your answers" in check
    assert "Gezondheidscentrum Noord" in check
    assert "In the normal time" in check  # the option label, not its value
    reference = _submit(client)
    assert reference.startswith(f"RT-{timezone.now().year}-")
    confirmation = client.get(f"/portal/applications/{reference}/submitted/").content.decode()
    assert reference in confirmation
    secret = re.search(r'id="secret-code">([A-Z0-9-]+)<', confirmation)
    assert secret
    application = Application.objects.get(reference=reference)
    instance = services.get_instance(application.instance_id)
    assert instance.business_key == reference
    variables = services.variables(application.instance_id)
    assert variables["transferId"] == reference
    assert variables["patientId"] == f"guest:{reference}"
    assert variables["patientName"] == "J. Jansen"
    # the secret is stored only as a hash
    assert secret.group(1) not in application.secret_hash


def test_forged_fields_do_not_become_variables(deployed: None) -> None:
    client = Client()
    reference = _submit(client, answers={**RT_ANSWERS, "approved": "true", "patientId": "someone-else"})
    variables = services.variables(Application.objects.get(reference=reference).instance_id)
    assert "approved" not in variables
    assert variables["patientId"] == f"guest:{reference}"


def test_oversize_answer_is_refused_with_a_message() -> None:
    response = Client().post("/portal/record_transfer/apply/", {**RT_ANSWERS, "patientName": "x" * 200_000})
    assert response.status_code == 200
    assert "too long" in response.content.decode()


def test_check_page_without_answers_goes_back_to_the_form() -> None:
    response = Client().get("/portal/record_transfer/check/")
    assert response.status_code == 302
    assert response["Location"] == "/portal/record_transfer/apply/"


def test_posts_need_a_csrf_token() -> None:
    client = Client(enforce_csrf_checks=True)
    for path in ["/portal/record_transfer/apply/", "/portal/record_transfer/save/", "/portal/status/"]:
        assert client.post(path, {"email": "a@example.org"}).status_code == 403


@pytest.mark.parametrize("language", ["en", "nl"])
def test_save_sends_a_magic_link_and_resume_restores_the_answers(language: str) -> None:
    client = _client(language)
    response = client.post(
        "/portal/tax_refund/apply/", {"claimantName": "A. de Vries", "taxYear": "2024", "_save": "1"}
    )
    assert response["Location"] == "/portal/tax_refund/save/"
    bad = client.post("/portal/tax_refund/save/", {"email": "nope"})
    assert "govuk-error-summary" in bad.content.decode()
    response = client.post("/portal/tax_refund/save/", {"email": "citizen@example.org"})
    assert response["Location"] == "/portal/tax_refund/saved/"
    assert client.get(response["Location"]).status_code == 200
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["citizen@example.org"]
    assert ("Your saved application" if language == "en" else "Uw opgeslagen aanvraag") in message.subject
    link = re.search(r"http://testserver(/portal/resume/\S+)", message.body)
    assert link, message.body
    draft = Draft.objects.get()
    token = link.group(1).rstrip("/").rsplit("/", 1)[1]
    assert token not in draft.token_hash
    # another browser, from the email
    other = _client(language)
    response = other.get(link.group(1))
    assert response["Location"] == "/portal/tax_refund/apply/"
    html = other.get("/portal/tax_refund/apply/").content.decode()
    assert 'value="A. de Vries"' in html
    assert 'value="2024"' in html


def test_wrong_or_expired_magic_link_is_404() -> None:
    client = Client()
    client.post("/portal/tax_refund/apply/", {"claimantName": "A", "_save": "1"})
    client.post("/portal/tax_refund/save/", {"email": "citizen@example.org"})
    path = re.search(r"http://testserver(/portal/resume/\S+)", mail.outbox[0].body).group(1)  # type: ignore[union-attr]
    draft_id = path.split("/")[3]
    assert Client().get(f"/portal/resume/{draft_id}/wrong-token/").status_code == 404
    Draft.objects.update(expires=timezone.now() - timedelta(seconds=1))
    assert Client().get(path).status_code == 404


def test_submitting_a_resumed_draft_deletes_it(deployed: None) -> None:
    client = Client()
    client.post("/portal/record_transfer/apply/", {**RT_ANSWERS, "_save": "1"})
    client.post("/portal/record_transfer/save/", {"email": "citizen@example.org"})
    path = re.search(r"http://testserver(/portal/resume/\S+)", mail.outbox[0].body).group(1)  # type: ignore[union-attr]
    other = Client()
    other.get(path)
    assert other.get("/portal/record_transfer/check/").status_code == 200
    other.post("/portal/record_transfer/check/")
    assert not Draft.objects.exists()


def test_status_page_shows_timeline_stage_and_citizen_request(deployed: None) -> None:
    client = Client()
    reference = _submit(client)
    html = client.get(f"/portal/applications/{reference}/").content.decode()
    assert reference in _h1(html)
    assert "Request received" in html
    assert "Consent" in html  # the current stage
    assert "Give your consent" in html
    task = services.tasks(assignee=f"guest:{reference}").get()
    answer_path = f"/portal/applications/{reference}/requests/{task.pk}/"
    assert answer_path in html
    form = client.get(answer_path).content.decode()
    assert "Do you give permission?" in form
    # an answer with errors, then a good one
    assert "govuk-error-summary" in client.post(answer_path, {}).content.decode()
    # without JavaScript, "yes" reveals the scope question: the page comes back with it
    shown = re.search(r'name="_shown" value="([^"]*)"', form).group(1)  # type: ignore[union-attr]
    assert "consentScope" not in shown
    again = client.post(answer_path, {"consentGiven": "true", "_shown": shown})
    assert again.status_code == 200
    assert 'name="consentScope"' in again.content.decode()
    assert "govuk-error-summary" not in again.content.decode()
    shown = re.search(r'name="_shown" value="([^"]*)"', again.content.decode()).group(1)  # type: ignore[union-attr]
    response = client.post(
        answer_path, {"consentGiven": "true", "consentScope": ["summary", "medication"], "_shown": shown}
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.state == "completed"
    assert services.variables(task.instance_id)["consentScope"] == ["summary", "medication"]
    html = client.get(f"/portal/applications/{reference}/").content.decode()
    assert "Consent recorded" in html
    assert "Give your consent" not in html
    assert client.get(answer_path).status_code == 404


def test_lookup_by_reference_and_secret(deployed: None) -> None:
    owner = Client()
    reference = _submit(owner)
    confirmation = owner.get(f"/portal/applications/{reference}/submitted/").content.decode()
    secret = re.search(r'id="secret-code">([A-Z0-9-]+)<', confirmation).group(1)  # type: ignore[union-attr]
    stranger = Client()
    assert stranger.get(f"/portal/applications/{reference}/").status_code == 404
    assert stranger.get(f"/portal/applications/{reference}/submitted/").status_code == 404
    wrong = stranger.post("/portal/status/", {"reference": reference, "secret": "AAAA-BBBB-CCCC"})
    assert wrong.status_code == 404
    assert "govuk-error-summary" in wrong.content.decode()
    unknown = stranger.post("/portal/status/", {"reference": "RT-2000-000000", "secret": secret})
    assert unknown.status_code == 404
    assert stranger.get(f"/portal/applications/{reference}/").status_code == 404
    # typed in lower case without dashes still matches
    response = stranger.post(
        "/portal/status/", {"reference": reference.lower(), "secret": secret.replace("-", "").lower()}
    )
    assert response["Location"] == f"/portal/applications/{reference}/"
    assert stranger.get(response["Location"]).status_code == 200


def test_requests_of_another_application_are_404(deployed: None) -> None:
    first, second = Client(), Client()
    mine = _submit(first)
    theirs = _submit(second)
    their_task = services.tasks(assignee=f"guest:{theirs}").get()
    assert first.get(f"/portal/applications/{mine}/requests/{their_task.pk}/").status_code == 404
    assert (
        first.post(f"/portal/applications/{mine}/requests/{their_task.pk}/", {"consentGiven": "true"}).status_code
        == 404
    )
    assert first.get(f"/portal/applications/{theirs}/requests/{their_task.pk}/").status_code == 404


@pytest.mark.parametrize("language", ["en", "nl"])
def test_lookup_page_renders(language: str) -> None:
    html = _client(language).get("/portal/status/").content.decode()
    assert _h1(html) == {"en": "Where is my application?", "nl": "Waar is mijn aanvraag?"}[language]


DYNAMIC = """{"components": [
  {"type": "dynamiclist", "key": "stalls", "label": "Stalls", "path": "stalls", "allowAddRemove": true,
   "components": [{"type": "textfield", "key": "name", "label": "Name"}]}]}"""


def test_dynamic_list_items_are_added_and_removed_without_javascript() -> None:
    form = load_form(DYNAMIC)
    data: dict[str, Any] = {"stalls": [{"name": "a"}, {"name": "b"}]}
    views = render_model(form, data)
    assert add_item(data, "stalls", views)
    assert data["stalls"] == [{"name": "a"}, {"name": "b"}, {}]
    assert remove_item(data, "stalls[0]", views)
    assert data["stalls"] == [{"name": "b"}, {}]
    # only lists the form has
    assert not add_item(data, "other", views)
    assert not remove_item(data, "stalls[9]", views)
    assert not remove_item(data, "stalls", views)


def test_a_mail_server_that_refuses_keeps_the_citizen_on_the_page(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise ConnectionRefusedError

    monkeypatch.setattr("civicflow.portal.views.send_mail", refuse)
    client = Client()
    client.post("/portal/tax_refund/apply/", {"claimantName": "A", "_save": "1"})
    response = client.post("/portal/tax_refund/save/", {"email": "citizen@example.org"})
    assert response.status_code == 200
    assert "We could not send the email" in response.content.decode()
    assert not Draft.objects.exists()
