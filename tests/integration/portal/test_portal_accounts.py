"""Citizen sign-in by email link, "my applications" and 404 for other people's applications."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from civicflow.portal._accounts import PER_ADDRESS_PER_HOUR, PER_CLIENT_PER_HOUR
from civicflow.portal.models import Application, CitizenAccount, SignInToken
from civicflow.runtime import services
from civicflow.runtime.reference import deploy_reference_services
from civicflow.security import keys
from civicflow.security.addresses import index
from support.portal_citizen import RT_ANSWERS, apply, client, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def deployed() -> None:
    deploy_reference_services()


def _link(body: str) -> str:
    found = re.search(r"https?://[^/]+(/portal/sign-in/[^/\s?]+/)", body)
    assert found, body
    return found.group(1)


@pytest.mark.parametrize(("language", "heading"), [("en", "Sign in"), ("nl", "Inloggen")])
def test_sign_in_page_in_both_languages(language: str, heading: str) -> None:
    html = client(language).get("/portal/sign-in/").content.decode()
    assert f">{heading}</h1>" in html
    assert 'name="email"' in html
    assert "csrfmiddlewaretoken" in html


def test_a_malformed_address_is_an_error_on_the_field() -> None:
    response = client().post("/portal/sign-in/", {"email": "not-an-address"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html
    assert 'href="#email"' in html
    assert mail.outbox == []


def test_known_and_unknown_addresses_get_the_same_answer() -> None:
    CitizenAccount.for_address("known@example.org", timezone.now())
    answers = []
    for email in ("known@example.org", "nobody@example.org"):
        browser = client()
        response = browser.post("/portal/sign-in/", {"email": email})
        page = browser.get(response["Location"]).content.decode()
        main = re.search(r"<main.*</main>", page, re.DOTALL)
        assert main
        answers.append((response.status_code, response["Location"], main.group(0).replace(email, "ADDRESS")))
    assert answers[0] == answers[1]
    assert [m.to for m in mail.outbox] == [["known@example.org"], ["nobody@example.org"]]
    # no account is created until a link is used: the address is not verified before
    assert not CitizenAccount.objects.filter(email_index=index("nobody@example.org")).exists()


def test_the_link_signs_in_once_and_its_token_is_stored_hashed() -> None:
    browser = client()
    browser.post("/portal/sign-in/", {"email": "Anna@Example.org"})
    path = _link(mail.outbox[0].body)
    token = path.rstrip("/").rsplit("/", 1)[1]
    row = SignInToken.objects.get()
    assert token not in row.token_hash
    assert len(row.token_hash) == 64
    assert row.expires - row.created == timedelta(minutes=15)
    # GET only shows a button (a mail scanner fetching the link does not spend it)
    assert browser.get(path).status_code == 200
    assert SignInToken.objects.get().used is None
    before = browser.session.session_key
    response = browser.post(path)
    assert response.status_code == 302
    assert response["Location"] == "/portal/my/"
    assert browser.session.session_key != before  # a new session id at sign-in
    account = CitizenAccount.objects.get()
    assert account.email == "anna@example.org"
    assert browser.session["portal_citizen"] == account.pk
    # single use: a second press, in any session, is 404
    assert client().post(path).status_code == 404
    assert browser.get(path).status_code == 404


def test_expired_or_unknown_links_are_404() -> None:
    browser = client()
    browser.post("/portal/sign-in/", {"email": "late@example.org"})
    path = _link(mail.outbox[0].body)
    SignInToken.objects.update(expires=timezone.now() - timedelta(seconds=1))
    assert browser.get(path).status_code == 404
    assert browser.post(path).status_code == 404
    assert browser.post("/portal/sign-in/not-a-token/").status_code == 404
    assert not CitizenAccount.objects.exists()


def test_links_are_rate_limited_per_address() -> None:
    for n in range(PER_ADDRESS_PER_HOUR):
        assert client(address=f"10.1.0.{n}").post("/portal/sign-in/", {"email": "a@example.org"}).status_code == 302
    refused = client(address="10.2.0.1").post("/portal/sign-in/", {"email": "a@example.org"})
    assert refused.status_code == 429
    assert "too many sign-in links" in refused.content.decode()
    assert len(mail.outbox) == PER_ADDRESS_PER_HOUR


def test_links_are_rate_limited_per_client() -> None:
    browser = client(address="10.9.9.9")
    for n in range(PER_CLIENT_PER_HOUR):
        assert browser.post("/portal/sign-in/", {"email": f"p{n}@example.org"}).status_code == 302
    assert browser.post("/portal/sign-in/", {"email": "one-more@example.org"}).status_code == 429
    # the client is kept as a hash, not as an address
    assert not SignInToken.objects.filter(client__contains="10.9.9.9").exists()


def test_a_refused_mail_server_keeps_no_token(settings: pytest.FixtureRequest) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"  # type: ignore[attr-defined]
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # type: ignore[attr-defined]
    response = client().post("/portal/sign-in/", {"email": "a@example.org"})
    assert response.status_code == 503
    assert "could not send the email" in response.content.decode()
    assert not SignInToken.objects.exists()


def test_signed_in_applications_belong_to_the_account_and_show_on_my_applications(deployed: None) -> None:
    browser = client()
    account_id = sign_in(browser, "jansen@example.org")
    reference = apply(browser, "record_transfer", RT_ANSWERS)
    application = Application.objects.get(reference=reference)
    assert application.account_id == account_id
    assert application.email == "jansen@example.org"  # the verified address, not the form's
    values = services.variables(application.instance_id)
    assert values["patientId"] == f"citizen:{account_id}"
    # the model's assignee expression (=patientId) gives the citizen's task to the account
    task = services.tasks(assignee=f"citizen:{account_id}").get()
    html = browser.get("/portal/my/").content.decode()
    assert f'href="/portal/applications/{reference}/"' in html
    assert "Medical records transfer" in html or "records" in html.lower()
    assert "Action needed" in html
    assert "We need something from you for 1 application." in html
    # the signed-in citizen sees and answers the request without the secret
    status = browser.get(f"/portal/applications/{reference}/").content.decode()
    assert f"/portal/applications/{reference}/requests/{task.pk}/" in status
    response = browser.post(
        f"/portal/applications/{reference}/requests/{task.pk}/", {"consentGiven": "false", "_shown": "consentGiven"}
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.completed_by == f"citizen:{account_id}"
    assert "Action needed" not in browser.get("/portal/my/").content.decode()


def test_my_applications_in_dutch_lists_across_services(deployed: None) -> None:
    browser = client("nl")
    sign_in(browser, "twee@example.org")
    first = apply(browser, "record_transfer", RT_ANSWERS)
    second = apply(browser)
    html = browser.get("/portal/my/").content.decode()
    assert ">Uw aanvragen</h1>" in html
    assert html.index(second) < html.index(first)  # newest first
    assert "Omgevingsvergunning bouwen" in html


def test_other_peoples_applications_and_requests_are_404(deployed: None) -> None:
    owner = client()
    sign_in(owner, "owner@example.org")
    reference = apply(owner, "record_transfer", RT_ANSWERS)
    task = services.tasks(instance_id=Application.objects.get(reference=reference).instance_id).get()
    stranger = client()
    sign_in(stranger, "stranger@example.org")
    for path in (
        f"/portal/applications/{reference}/",
        f"/portal/applications/{reference}/requests/{task.pk}/",
        f"/portal/applications/{reference}/documents/1/",
    ):
        assert stranger.get(path).status_code == 404
        assert client().get(path).status_code == 404  # a guest without the secret
    assert reference not in stranger.get("/portal/my/").content.decode()


def test_my_applications_needs_sign_in_and_sign_out_ends_it(deployed: None) -> None:
    browser = client()
    response = browser.get("/portal/my/")
    assert response.status_code == 302
    assert response["Location"] == "/portal/sign-in/?next=%2Fportal%2Fmy%2F"
    sign_in(browser, "out@example.org")
    reference = apply(browser, "record_transfer", RT_ANSWERS)
    html = browser.get("/portal/").content.decode()
    assert 'action="/portal/sign-out/"' in html
    assert browser.get("/portal/sign-out/").status_code == 405  # sign out is a POST form
    assert browser.post("/portal/sign-out/").status_code == 302
    assert browser.get("/portal/my/").status_code == 302
    assert browser.get(f"/portal/applications/{reference}/").status_code == 404
    assert 'href="/portal/sign-in/"' in browser.get("/portal/").content.decode()


def test_guests_still_apply_with_a_guest_identity(deployed: None) -> None:
    browser = client()
    reference = apply(browser, "record_transfer", RT_ANSWERS)
    application = Application.objects.get(reference=reference)
    assert application.account_id is None
    assert application.email == "j.jansen@example.org"  # from the form, for notices
    assert services.variables(application.instance_id)["patientId"] == f"guest:{reference}"


def test_tokens_older_than_a_day_are_deleted_when_a_link_is_asked_for() -> None:
    old = timezone.now() - timedelta(days=2)
    stale = SignInToken(token_hash="0" * 64, client="c", created=old, expires=old)
    stale.set_email("o@example.org")
    stale.save()
    client().post("/portal/sign-in/", {"email": "new@example.org"})
    assert [row.email for row in SignInToken.objects.all()] == ["new@example.org"]
    assert keys.is_shredded(stale.subject)  # the deleted link's address is gone from backups too
