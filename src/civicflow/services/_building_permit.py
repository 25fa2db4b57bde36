"""Building permit (omgevingsvergunning, the WABO / BPIC 2015 kind): model and form sources."""

from __future__ import annotations

from civicflow.services._formjs import field, form, group, text
from civicflow.services._layout import Flow, Node, ProcessSpec, email_headers


def _email(subject_en: str, subject_nl: str, body_en: str, body_nl: str) -> tuple[tuple[str, str], ...]:
    return email_headers("=applicantEmail", (subject_en, subject_nl), (body_en, body_nl))


def _review(lane: str, key: str, name: str, *, head: str, sla: str, row_var: str) -> tuple[Node, ...]:
    return (
        Node(
            id=f"{key}_review",
            kind="userTask",
            name=name,
            lane=lane,
            col=8,
            form="bp-review",
            groups=lane,
            due=f'=now() + duration("{sla}")',
            outputs=(("=reviewApproved", row_var), ("=reviewNotes", f"{key}Notes")),
        ),
        Node(
            id=f"{key}_sla",
            kind="boundaryEvent",
            name=f"SLA {sla} passed",
            lane=lane,
            attached=f"{key}_review",
            interrupting=False,
            timer=sla,
        ),
        Node(
            id=f"{key}_escalation",
            kind="userTask",
            name=head,
            lane=lane,
            col=9,
            row=1,
            form="bp-escalation",
            groups=f"{lane}-head",
        ),
        Node(id=f"{key}_escalated", kind="endEvent", name="Escalation handled", lane=lane, col=10, row=1),
    )


SPEC = ProcessSpec(
    properties=(("civicflow:subject", "applicantId"),),
    id="building_permit",
    name="Building permit",
    participant="Municipality: building permits",
    documentation="Reference service: environmental permit for building (WABO), from application to issued permit.",
    lanes=(
        ("citizen", "Applicant"),
        ("intake", "Intake"),
        ("zoning", "Zoning"),
        ("fire-safety", "Fire Safety"),
        ("heritage", "Heritage"),
        ("permits", "Permits"),
        ("finance", "Finance"),
    ),
    messages=(("DocumentsSupplied", "=caseNumber"), ("PaymentReceived", "=caseNumber")),
    nodes=(
        Node(
            id="application_submitted",
            kind="startEvent",
            name="Application submitted",
            lane="citizen",
            form="bp-application",
        ),
        Node(
            id="check_completeness",
            kind="userTask",
            name="Check completeness",
            lane="intake",
            col=1,
            form="bp-completeness",
            groups="intake",
            due='=now() + duration("P5D")',
        ),
        Node(
            id="is_complete",
            kind="exclusiveGateway",
            name="Complete?",
            lane="intake",
            col=2,
            default="request_documents",
        ),
        Node(
            id="request_documents",
            kind="serviceTask",
            name="Request missing documents",
            lane="intake",
            col=3,
            row=1,
            job="email",
            headers=_email(
                "Documents missing for ${caseNumber}",
                "Documenten ontbreken voor ${caseNumber}",
                "Please send: ${missingDocuments}",
                "Stuur ons alstublieft: ${missingDocuments}",
            ),
        ),
        Node(
            id="await_documents",
            kind="receiveTask",
            name="Wait for documents",
            lane="intake",
            col=4,
            row=1,
            message="DocumentsSupplied",
        ),
        Node(
            id="documents_reminder_due",
            kind="boundaryEvent",
            name="14 days",
            lane="intake",
            attached="await_documents",
            interrupting=False,
            timer="P14D",
        ),
        Node(
            id="documents_deadline",
            kind="boundaryEvent",
            name="30 days",
            lane="intake",
            attached="await_documents",
            timer="P30D",
        ),
        Node(
            id="send_documents_reminder",
            kind="serviceTask",
            name="Send reminder",
            lane="intake",
            col=5,
            row=2,
            job="email",
            headers=_email(
                "Reminder: documents missing for ${caseNumber}",
                "Herinnering: documenten ontbreken voor ${caseNumber}",
                "We still need: ${missingDocuments}",
                "We missen nog: ${missingDocuments}",
            ),
        ),
        Node(id="reminder_sent", kind="endEvent", name="Reminder sent", lane="intake", col=6, row=2),
        Node(
            id="notify_withdrawal",
            kind="serviceTask",
            name="Notify withdrawal",
            lane="intake",
            col=5,
            row=3,
            job="email",
            headers=_email(
                "Application ${caseNumber} withdrawn",
                "Aanvraag ${caseNumber} ingetrokken",
                "The documents did not arrive within 30 days.",
                "De documenten zijn niet binnen 30 dagen ontvangen.",
            ),
        ),
        Node(id="application_withdrawn", kind="endEvent", name="Application withdrawn", lane="intake", col=6, row=3),
        Node(
            id="determine_fee",
            kind="businessRuleTask",
            name="Determine fee",
            lane="intake",
            col=6,
            decision="building_permit_fee",
            result="fee",
        ),
        Node(id="reviews_split", kind="inclusiveGateway", name="Reviews needed", lane="intake", col=7),
        *_review(
            "zoning",
            "zoning",
            "Zoning review",
            head="Zoning review overdue: head of Zoning",
            sla="P10D",
            row_var="zoningApproved",
        ),
        *_review(
            "fire-safety",
            "fire",
            "Fire safety review",
            head="Fire safety review overdue: head of Fire Safety",
            sla="P10D",
            row_var="fireSafetyApproved",
        ),
        *_review(
            "heritage",
            "heritage",
            "Heritage review",
            head="Heritage review overdue: head of Heritage",
            sla="P15D",
            row_var="heritageApproved",
        ),
        Node(id="reviews_join", kind="inclusiveGateway", name="Reviews done", lane="fire-safety", col=10),
        Node(
            id="fire_safety_register",
            kind="serviceTask",
            name="Check fire-safety register",
            lane="fire-safety",
            col=11,
            job="fire-safety-register",
            retries=5,
        ),
        Node(
            id="is_simple",
            kind="exclusiveGateway",
            name="Simple case?",
            lane="permits",
            col=12,
            default="caseworker_decision",
        ),
        Node(
            id="automated_decision",
            kind="businessRuleTask",
            name="Decide (rules)",
            lane="permits",
            col=13,
            decision="building_permit_decision",
            result="automatedDecision",
        ),
        Node(
            id="record_explanation",
            kind="scriptTask",
            name="Record explanation",
            lane="permits",
            col=14,
            script=(
                "={approved: automatedDecision.approved, automated: true, explanation: automatedDecision.explanation}"
            ),
            result="permitDecision",
        ),
        Node(
            id="caseworker_decision",
            kind="userTask",
            name="Decide on permit",
            lane="permits",
            col=13,
            row=1,
            form="bp-decision",
            groups="permits",
            due='=now() + duration("P5D")',
        ),
        Node(
            id="record_manual_decision",
            kind="scriptTask",
            name="Record decision",
            lane="permits",
            col=14,
            row=1,
            script="={approved: approved, automated: false, explanation: decisionReason}",
            result="permitDecision",
        ),
        Node(
            id="is_approved",
            kind="exclusiveGateway",
            name="Approved?",
            lane="permits",
            col=15,
            default="notify_rejection",
        ),
        Node(
            id="notify_rejection",
            kind="serviceTask",
            name="Notify rejection",
            lane="permits",
            col=16,
            row=1,
            job="email",
            headers=_email(
                "Decision on ${caseNumber}: refused",
                "Besluit op ${caseNumber}: geweigerd",
                "Your application was refused. You may object within six weeks.",
                "Uw aanvraag is geweigerd. U kunt binnen zes weken bezwaar maken.",
            ),
        ),
        Node(id="permit_rejected", kind="endEvent", name="Permit refused", lane="permits", col=17, row=1),
        Node(
            id="send_invoice",
            kind="serviceTask",
            name="Send invoice",
            lane="finance",
            col=16,
            job="email",
            headers=_email(
                "Invoice for ${caseNumber}",
                "Factuur voor ${caseNumber}",
                "Your permit is granted. Please pay the fee of EUR ${fee}.",
                "Uw vergunning is verleend. Betaal alstublieft de leges van EUR ${fee}.",
            ),
        ),
        Node(
            id="await_payment",
            kind="receiveTask",
            name="Wait for payment",
            lane="finance",
            col=17,
            message="PaymentReceived",
        ),
        Node(
            id="payment_overdue",
            kind="boundaryEvent",
            name="30 days",
            lane="finance",
            attached="await_payment",
            timer="P30D",
        ),
        Node(
            id="payment_reminder",
            kind="serviceTask",
            name="Send payment reminder",
            lane="finance",
            col=18,
            row=1,
            job="email",
            headers=_email(
                "Payment reminder for ${caseNumber}",
                "Betalingsherinnering voor ${caseNumber}",
                "We have not received EUR ${fee} yet.",
                "We hebben EUR ${fee} nog niet ontvangen.",
            ),
        ),
        Node(
            id="await_late_payment",
            kind="receiveTask",
            name="Wait for late payment",
            lane="finance",
            col=19,
            row=1,
            message="PaymentReceived",
        ),
        Node(
            id="payment_failed",
            kind="boundaryEvent",
            name="14 days",
            lane="finance",
            attached="await_late_payment",
            timer="P14D",
        ),
        Node(
            id="notify_cancellation",
            kind="serviceTask",
            name="Notify cancellation",
            lane="finance",
            col=20,
            row=2,
            job="email",
            headers=_email(
                "Permit ${caseNumber} cancelled",
                "Vergunning ${caseNumber} vervallen",
                "The fee was not paid; the permit is cancelled.",
                "De leges zijn niet betaald; de vergunning is vervallen.",
            ),
        ),
        Node(id="permit_cancelled", kind="endEvent", name="Permit cancelled", lane="finance", col=21, row=2),
        Node(id="paid", kind="exclusiveGateway", name="Paid", lane="finance", col=20),
        Node(
            id="issue_permit",
            kind="serviceTask",
            name="Issue permit document",
            lane="permits",
            col=21,
            job="issue-document",
        ),
        Node(
            id="notify_citizen",
            kind="serviceTask",
            name="Notify applicant",
            lane="permits",
            col=22,
            job="email",
            headers=_email(
                "Your permit ${caseNumber}",
                "Uw vergunning ${caseNumber}",
                "Your building permit has been issued.",
                "Uw omgevingsvergunning is verleend.",
            ),
        ),
        Node(id="permit_issued", kind="endEvent", name="Permit issued", lane="citizen", col=23),
    ),
    flows=(
        Flow(source="application_submitted", target="check_completeness"),
        Flow(source="check_completeness", target="is_complete"),
        Flow(source="is_complete", target="determine_fee", condition="=documentsComplete = true", name="complete"),
        Flow(source="is_complete", target="request_documents", name="incomplete"),
        Flow(source="request_documents", target="await_documents"),
        Flow(source="await_documents", target="check_completeness", name="supplied"),
        Flow(source="documents_reminder_due", target="send_documents_reminder"),
        Flow(source="send_documents_reminder", target="reminder_sent"),
        Flow(source="documents_deadline", target="notify_withdrawal"),
        Flow(source="notify_withdrawal", target="application_withdrawn"),
        Flow(source="determine_fee", target="reviews_split"),
        Flow(source="reviews_split", target="zoning_review", condition="=true"),
        Flow(source="reviews_split", target="fire_review", condition="=true"),
        Flow(source="reviews_split", target="heritage_review", condition="=heritageZone = true", name="heritage zone"),
        *(
            f
            for key in ("zoning", "fire", "heritage")
            for f in (
                Flow(source=f"{key}_review", target="reviews_join"),
                Flow(source=f"{key}_sla", target=f"{key}_escalation"),
                Flow(source=f"{key}_escalation", target=f"{key}_escalated"),
            )
        ),
        Flow(source="reviews_join", target="fire_safety_register"),
        Flow(source="fire_safety_register", target="is_simple"),
        Flow(
            source="is_simple",
            target="automated_decision",
            condition='=heritageZone = false and floorArea <= 200 and buildingType != "commercial"',
            name="simple",
        ),
        Flow(source="is_simple", target="caseworker_decision", name="complex"),
        Flow(source="automated_decision", target="record_explanation"),
        Flow(source="record_explanation", target="is_approved"),
        Flow(source="caseworker_decision", target="record_manual_decision"),
        Flow(source="record_manual_decision", target="is_approved"),
        Flow(source="is_approved", target="send_invoice", condition="=permitDecision.approved = true", name="granted"),
        Flow(source="is_approved", target="notify_rejection", name="refused"),
        Flow(source="notify_rejection", target="permit_rejected"),
        Flow(source="send_invoice", target="await_payment"),
        Flow(source="await_payment", target="paid"),
        Flow(source="payment_overdue", target="payment_reminder"),
        Flow(source="payment_reminder", target="await_late_payment"),
        Flow(source="await_late_payment", target="paid"),
        Flow(source="payment_failed", target="notify_cancellation"),
        Flow(source="notify_cancellation", target="permit_cancelled"),
        Flow(source="paid", target="issue_permit"),
        Flow(source="issue_permit", target="notify_citizen"),
        Flow(source="notify_citizen", target="permit_issued"),
    ),
)

_YES_NO = ((True, "Yes", "Ja"), (False, "No", "Nee"))

FORMS = {
    "bp-application": form(
        "bp-application",
        [
            group(
                "applicant",
                ("About you", "Over u"),
                [
                    field(
                        "textfield",
                        "applicantName",
                        ("Your name", "Uw naam"),
                        required=True,
                        properties={"civicflow:personal": "true", "civicflow:prefill": "party.name, applications.name"},
                    ),
                    field(
                        "textfield",
                        "applicantEmail",
                        ("Email address", "E-mailadres"),
                        required=True,
                        validate={"validationType": "email"},
                        properties={"civicflow:personal": "true", "civicflow:prefill": "party.email"},
                    ),
                    field(
                        "textfield",
                        "coSignerEmail",
                        (
                            "Email address of a co-owner or partner who must confirm (optional)",
                            "E-mailadres van een mede-eigenaar of partner die moet bevestigen (optioneel)",
                        ),
                        hint=(
                            (
                                "If you own the building or site together with someone, we email them a link to"
                                " confirm your application before we start on it."
                            ),
                            (
                                "Bent u samen met iemand eigenaar van het gebouw of perceel, dan sturen wij die"
                                " persoon een link om uw aanvraag te bevestigen voordat wij ermee beginnen."
                            ),
                        ),
                        validate={"validationType": "email"},
                        properties={"civicflow:personal": "true", "civicflow:coSigner": "email"},
                    ),
                ],
            ),
            group(
                "work",
                ("The building work", "Het bouwwerk"),
                [
                    field(
                        "textfield",
                        "address",
                        ("Address of the building site", "Adres van de bouwlocatie"),
                        required=True,
                        properties={"civicflow:personal": "true", "civicflow:prefill": "applications.address"},
                    ),
                    field(
                        "select",
                        "buildingType",
                        ("Type of building work", "Soort bouwwerk"),
                        required=True,
                        options=(
                            ("dwelling", "New dwelling", "Nieuwe woning"),
                            ("extension", "Extension", "Uitbouw"),
                            ("shed", "Shed or outbuilding", "Schuur of bijgebouw"),
                            ("commercial", "Commercial building", "Bedrijfspand"),
                        ),
                    ),
                    field(
                        "number",
                        "floorArea",
                        ("Floor area (m²)", "Vloeroppervlak (m²)"),
                        required=True,
                        validate={"required": True, "min": 1, "max": 100000},
                    ),
                    field(
                        "checkbox",
                        "heritageZone",
                        (
                            "The site is in a protected heritage zone",
                            "De locatie ligt in een beschermd stads- of dorpsgezicht",
                        ),
                    ),
                ],
            ),
            group(
                "documents",
                ("Drawings and documents", "Tekeningen en documenten"),
                [
                    field(
                        "filepicker",
                        "documents",
                        ("Drawings and documents", "Tekeningen en documenten"),
                        hint=(
                            "PDF files, at most 10 MB each and 10 files. You can also send them when we ask for them.",
                            (
                                "PDF-bestanden, elk hoogstens 10 MB en 10 bestanden. U kunt ze ook sturen als wij erom"
                                " vragen."
                            ),
                        ),
                        accept=".pdf",
                        multiple=True,
                        properties={"civicflow:maxFileSize": "10485760", "civicflow:maxFiles": "10"},
                    ),
                ],
            ),
        ],
        pages=True,
    ),
    "bp-completeness": form(
        "bp-completeness",
        [
            field(
                "radio",
                "documentsComplete",
                ("Is the application complete?", "Is de aanvraag volledig?"),
                required=True,
                options=_YES_NO,
            ),
            field(
                "textarea",
                "missingDocuments",
                ("Missing documents", "Ontbrekende documenten"),
                conditional={"hide": "=documentsComplete = true"},
            ),
        ],
    ),
    "bp-review": form(
        "bp-review",
        [
            field(
                "radio",
                "reviewApproved",
                ("Advice", "Advies"),
                required=True,
                options=((True, "Positive", "Positief"), (False, "Negative", "Negatief")),
            ),
            field("textarea", "reviewNotes", ("Reasons", "Motivering"), required=True),
        ],
    ),
    "bp-escalation": form(
        "bp-escalation",
        [
            text(
                "sla",
                "The review is past its service level. Assign it or agree a new date.",
                "De beoordeling is over de termijn. Wijs haar toe of spreek een nieuwe datum af.",
            ),
            field("textarea", "escalationNote", ("Action taken", "Genomen actie"), required=True),
        ],
    ),
    "bp-decision": form(
        "bp-decision",
        [
            field(
                "radio",
                "approved",
                ("Decision", "Besluit"),
                required=True,
                options=((True, "Grant", "Verlenen"), (False, "Refuse", "Weigeren")),
            ),
            field(
                "textarea", "decisionReason", ("Reasons for the decision", "Motivering van het besluit"), required=True
            ),
        ],
    ),
}
