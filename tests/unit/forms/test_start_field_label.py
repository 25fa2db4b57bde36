"""The question a reference service's start form asks for a field, by key, in English and Dutch."""

from __future__ import annotations

import pytest

from civicflow.services import start_field_label


@pytest.mark.parametrize(
    ("service", "key", "language", "label"),
    [
        ("building_permit", "applicantName", "en", "Your name"),
        ("building_permit", "applicantName", "nl", "Uw naam"),
        ("building_permit", "address", "nl-BE", "Adres van de bouwlocatie"),
        ("tax_refund", "claimantEmail", "en", "Email address"),
        ("building_permit", "noSuchField", "en", "noSuchField"),  # not on the form: the key
        ("fire_inspection", "premisesAddress", "en", "premisesAddress"),  # not a reference service
    ],
)
def test_the_label_or_the_key(service: str, key: str, language: str, label: str) -> None:
    assert start_field_label(service, key, language) == label
