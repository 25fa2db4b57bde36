"""Patient record transfer between two care providers: model and form sources."""

from __future__ import annotations

from civicflow.services._formjs import field, form, text
from civicflow.services._layout import Flow, Node, ProcessSpec, email_headers


def _email(subject_en: str, subject_nl: str, body_en: str, body_nl: str) -> tuple[tuple[str, str], ...]:
    return email_headers("=patientEmail", (subject_en, subject_nl), (body_en, body_nl))


SPEC = ProcessSpec(
    properties=(("civicflow:subject", "patientId"),),
    id="record_transfer",
    name="Patient record transfer",
    participant="Care provider: record transfers",
    documentation=(
        "Reference service: a patient's medical records move from one care provider to another, with the "
        "patient's consent, over the event bus (CloudEvents), with a delivery deadline and an audit of access."
    ),
    lanes=(("citizen", "Patient"), ("privacy", "Privacy Office"), ("records", "Medical Records")),
    messages=(("RecordsDelivered", "=transferId"),),
    nodes=(
        Node(id="transfer_requested", kind="startEvent", name="Transfer requested", lane="citizen", form="rt-request"),
        Node(
            id="determine_deadline",
            kind="businessRuleTask",
            name="Determine delivery deadline",
            lane="records",
            col=1,
            decision="record_transfer_deadline",
            result="deliveryDeadline",
        ),
        Node(
            id="give_consent",
            kind="userTask",
            name="Give consent",
            lane="citizen",
            col=2,
            form="rt-consent",
            assignee="=patientId",
            due='=now() + duration("P7D")',
        ),
        Node(
            id="consent_given",
            kind="exclusiveGateway",
            name="Consent given?",
            lane="citizen",
            col=3,
            default="consent_refused",
        ),
        Node(id="consent_refused", kind="endEvent", name="Consent refused", lane="citizen", col=4, row=1),
        Node(
            id="send_request",
            kind="serviceTask",
            name="Request records from provider",
            lane="records",
            col=4,
            job="publish",
            retries=5,
            headers=(
                ("subject", "civicflow.records.transfer.requested"),
                ("eventType", "org.civicflow.records.transfer.requested"),
                ("source", "civicflow/record-transfer"),
                (
                    "data",
                    (
                        "={transferId: transferId, patientId: patientId, from: sourceProvider, to: targetProvider,"
                        " scope: consentScope}"
                    ),
                ),
            ),
        ),
        Node(
            id="await_records",
            kind="receiveTask",
            name="Wait for records",
            lane="records",
            col=5,
            message="RecordsDelivered",
        ),
        Node(
            id="delivery_deadline",
            kind="boundaryEvent",
            name="Deadline passed",
            lane="records",
            attached="await_records",
            timer="=deliveryDeadline",
        ),
        Node(
            id="chase_provider",
            kind="userTask",
            name="Chase the other provider",
            lane="records",
            col=6,
            row=1,
            form="rt-chase",
            groups="records-head",
        ),
        Node(
            id="resend",
            kind="exclusiveGateway",
            name="Request again?",
            lane="records",
            col=7,
            row=1,
            default="notify_failure",
        ),
        Node(
            id="notify_failure",
            kind="serviceTask",
            name="Tell the patient: failed",
            lane="records",
            col=8,
            row=1,
            job="email",
            headers=_email(
                "Your record transfer ${transferId}",
                "Uw dossieroverdracht ${transferId}",
                "The other care provider did not deliver your records. We will contact you.",
                "De andere zorgaanbieder heeft uw dossier niet geleverd. We nemen contact met u op.",
            ),
        ),
        Node(id="transfer_failed", kind="endEvent", name="Transfer failed", lane="records", col=9, row=1),
        Node(
            id="audit_access",
            kind="serviceTask",
            name="Audit access",
            lane="privacy",
            col=6,
            job="audit-access",
            inputs=(("=transferId", "subject"), ("=[sourceProvider, targetProvider]", "parties")),
        ),
        Node(
            id="notify_patient",
            kind="serviceTask",
            name="Tell the patient: arrived",
            lane="records",
            col=7,
            job="email",
            headers=_email(
                "Your records have arrived",
                "Uw dossier is aangekomen",
                "Your new care provider has received your records.",
                "Uw nieuwe zorgaanbieder heeft uw dossier ontvangen.",
            ),
        ),
        Node(id="transfer_completed", kind="endEvent", name="Transfer completed", lane="records", col=8),
    ),
    flows=(
        Flow(source="transfer_requested", target="determine_deadline"),
        Flow(source="determine_deadline", target="give_consent"),
        Flow(source="give_consent", target="consent_given"),
        Flow(source="consent_given", target="send_request", condition="=consentGiven = true", name="yes"),
        Flow(source="consent_given", target="consent_refused", name="no"),
        Flow(source="send_request", target="await_records"),
        Flow(source="await_records", target="audit_access"),
        Flow(source="audit_access", target="notify_patient"),
        Flow(source="notify_patient", target="transfer_completed"),
        Flow(source="delivery_deadline", target="chase_provider"),
        Flow(source="chase_provider", target="resend"),
        Flow(source="resend", target="send_request", condition="=resendRequest = true", name="yes", below=True),
        Flow(source="resend", target="notify_failure", name="no"),
        Flow(source="notify_failure", target="transfer_failed"),
    ),
)

FORMS = {
    "rt-request": form(
        "rt-request",
        [
            text("intro", "## Move your medical records", "## Uw medisch dossier overdragen"),
            field(
                "textfield",
                "patientName",
                ("Your name", "Uw naam"),
                required=True,
                properties={"civicflow:personal": "true"},
            ),
            field(
                "textfield",
                "patientEmail",
                ("Email address", "E-mailadres"),
                required=True,
                validate={"validationType": "email"},
                properties={"civicflow:personal": "true"},
            ),
            field("textfield", "sourceProvider", ("Current care provider", "Huidige zorgaanbieder"), required=True),
            field("textfield", "targetProvider", ("New care provider", "Nieuwe zorgaanbieder"), required=True),
            field(
                "radio",
                "urgency",
                ("How soon are the records needed?", "Hoe snel is het dossier nodig?"),
                required=True,
                options=(
                    ("urgent", "Urgently (treatment starts soon)", "Met spoed (behandeling begint binnenkort)"),
                    ("routine", "In the normal time", "In de gewone termijn"),
                ),
            ),
        ],
    ),
    "rt-consent": form(
        "rt-consent",
        [
            text(
                "explain",
                "Your records are only sent with your permission. You can choose what is sent.",
                "Uw dossier wordt alleen met uw toestemming verstuurd. U kiest zelf wat er wordt verstuurd.",
            ),
            field(
                "radio",
                "consentGiven",
                ("Do you give permission?", "Geeft u toestemming?"),
                required=True,
                options=((True, "Yes", "Ja"), (False, "No", "Nee")),
            ),
            field(
                "checklist",
                "consentScope",
                ("What may be sent?", "Wat mag worden verstuurd?"),
                options=(
                    ("summary", "Summary", "Samenvatting"),
                    ("medication", "Medication", "Medicatie"),
                    ("imaging", "Scans and images", "Scans en beelden"),
                    ("full", "The full record", "Het volledige dossier"),
                ),
                conditional={"hide": "=consentGiven != true"},
            ),
        ],
    ),
    "rt-chase": form(
        "rt-chase",
        [
            text(
                "late",
                "The other provider has not delivered the records before the deadline.",
                "De andere zorgaanbieder heeft het dossier niet voor de termijn geleverd.",
            ),
            field(
                "radio",
                "resendRequest",
                ("Send the request again?", "Verzoek opnieuw versturen?"),
                required=True,
                options=((True, "Yes", "Ja"), (False, "No, give up", "Nee, stoppen")),
            ),
            field("textarea", "chaseNote", ("What did you agree with the provider?", "Wat is er afgesproken?")),
        ],
    ),
}
