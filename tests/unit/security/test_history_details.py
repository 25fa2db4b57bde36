"""What a runtime history event contributes to its audit entry: references, never values or free text."""

from __future__ import annotations

from civicflow.cli._audit_step import history_details


def test_references_are_kept_and_values_messages_and_names_left_out() -> None:
    payload = {
        "key": 7,
        "owner": 3,
        "element": "check",
        "name": "Check Jansen's application",  # a task name typed by a modeller, may quote a person
        "message": "applicant j.jansen@example.org not found",
        "variables": {"patientName": "J. Jansen", "approved": True},
        "candidate_groups": ["intake"],
        "due": "2026-01-01T00:00:00+00:00",
    }
    assert history_details(payload) == {
        "key": 7,
        "owner": 3,
        "element": "check",
        "variable_names": ["approved", "patientName"],
    }


def test_a_reference_field_with_a_structured_value_is_left_out() -> None:
    assert history_details({"key": {"nested": "J. Jansen"}, "flow": ["a"]}) == {}


def test_a_decision_keeps_its_id_version_and_explanation_references() -> None:
    explanation = [
        {
            "decision": "Fee",
            "supplied": False,
            "tables": [{"table": "fee_table", "hit_policy": "FIRST", "inputs": ["area"], "matched": ["r2"]}],
        }
    ]
    payload = {"key": 3, "element": "fee", "decision": "Fee", "version": 2, "explanation": explanation}
    assert history_details(payload) == {"key": 3, "element": "fee", "decision": "Fee:2", "explanation": explanation}
    assert history_details({"key": 3, "decision": "Fee"})["decision"] == "Fee"  # a port without versions
