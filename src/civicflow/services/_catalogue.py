"""The reference services that ship with CivicFlow (data; the model files live beside this module)."""

from __future__ import annotations

from civicflow.services._types import (
    DecisionSample,
    Department,
    KpiTargets,
    Milestone,
    ReferenceService,
    Retention,
    RetentionAction,
    Role,
    StageTarget,
    Text,
)


def _t(en: str, nl: str) -> Text:
    return Text(en=en, nl=nl)


def _dept(key: str, en: str, nl: str, *, head: bool = False) -> Department:
    roles = [Role(key="caseworker", group=key, name=_t(f"{en} caseworker", f"Behandelaar {nl.lower()}"))]
    if head:
        roles.append(Role(key="head", group=f"{key}-head", name=_t(f"Head of {en}", f"Hoofd {nl.lower()}")))
    return Department(key=key, name=_t(en, nl), roles=tuple(roles))


_CITIZEN = Department(
    key="citizen",
    name=_t("Applicant", "Aanvrager"),
    roles=(Role(key="citizen", group="citizen", name=_t("Citizen or business", "Burger of bedrijf")),),
)

BUILDING_PERMIT = ReferenceService(
    id="building_permit",
    process_id="building_permit",
    title=_t("Building permit", "Omgevingsvergunning bouwen"),
    summary=_t(
        "Apply for permission to build, extend or change a building. We check that your application is "
        "complete, work out the fee, ask zoning, fire safety and (in a protected area) heritage experts "
        "for advice, and decide. You pay the fee and receive your permit online.",
        "Vraag toestemming aan om te bouwen, uit te bouwen of te verbouwen. Wij controleren of uw aanvraag "
        "volledig is, berekenen de leges, vragen advies aan ruimtelijke ordening, brandveiligheid en (in een "
        "beschermd gebied) erfgoed, en nemen een besluit. U betaalt de leges en ontvangt uw vergunning online.",
    ),
    bpmn=("building_permit.bpmn",),
    dmn=("building_permit_fee.dmn", "building_permit_decision.dmn"),
    forms=(
        "bp-application.form",
        "bp-completeness.form",
        "bp-review.form",
        "bp-escalation.form",
        "bp-decision.form",
    ),
    start_form="bp-application",
    milestones=(
        Milestone(
            element="application_submitted", key="submitted", label=_t("Application received", "Aanvraag ontvangen")
        ),
        Milestone(
            element="request_documents",
            key="documents-requested",
            label=_t("Documents requested", "Documenten opgevraagd"),
        ),
        Milestone(element="determine_fee", key="complete", label=_t("Application complete", "Aanvraag volledig")),
        Milestone(element="reviews_join", key="reviewed", label=_t("Advice received", "Adviezen ontvangen")),
        Milestone(element="is_approved", key="decided", label=_t("Decision taken", "Besluit genomen")),
        Milestone(element="paid", key="paid", label=_t("Fee paid", "Leges betaald")),
        Milestone(element="issue_permit", key="issued", label=_t("Permit issued", "Vergunning verleend")),
        Milestone(element="permit_rejected", key="refused", label=_t("Permit refused", "Vergunning geweigerd")),
        Milestone(
            element="application_withdrawn", key="withdrawn", label=_t("Application withdrawn", "Aanvraag ingetrokken")
        ),
        Milestone(
            element="permit_cancelled",
            key="cancelled",
            label=_t("Permit cancelled (not paid)", "Vergunning vervallen (niet betaald)"),
        ),
    ),
    kpis=KpiTargets(
        processing_time="P56D",  # eight weeks: the regular procedure's statutory term
        stages=(
            StageTarget(
                element="check_completeness", label=_t("Completeness check", "Volledigheidstoets"), target="P5D"
            ),
            StageTarget(
                element="zoning_review", label=_t("Zoning review", "Toets ruimtelijke ordening"), target="P10D"
            ),
            StageTarget(element="fire_review", label=_t("Fire safety review", "Toets brandveiligheid"), target="P10D"),
            StageTarget(element="heritage_review", label=_t("Heritage review", "Toets erfgoed"), target="P15D"),
            StageTarget(element="caseworker_decision", label=_t("Decision", "Besluit"), target="P5D"),
            StageTarget(element="await_payment", label=_t("Payment", "Betaling"), target="P30D"),
        ),
    ),
    departments=(
        _CITIZEN,
        _dept("intake", "Intake", "Intake"),
        _dept("zoning", "Zoning", "Ruimtelijke ordening", head=True),
        _dept("fire-safety", "Fire Safety", "Brandveiligheid", head=True),
        _dept("heritage", "Heritage", "Erfgoed", head=True),
        _dept("permits", "Permits", "Vergunningen"),
        _dept("finance", "Finance", "Financiën"),
    ),
    decision_samples=(
        DecisionSample(
            file="building_permit_fee.dmn",
            decision="building_permit_fee",
            inputs={"buildingType": "dwelling", "floorArea": 120, "heritageZone": True},
            expected={"Building permit fee": 1350},
        ),
        DecisionSample(
            file="building_permit_fee.dmn",
            decision="building_permit_fee",
            inputs={"buildingType": "shed", "floorArea": 12, "heritageZone": False},
            expected={"Building permit fee": 120},
        ),
        DecisionSample(
            file="building_permit_decision.dmn",
            decision="building_permit_decision",
            inputs={"zoningApproved": True, "fireSafetyApproved": False, "fireRegisterCompliant": True},
            expected={
                "Building permit decision": {
                    "approved": False,
                    "explanation": "Refused: the fire safety review found the plan unsafe.",
                }
            },
        ),
    ),
    messages=("DocumentsSupplied", "PaymentReceived"),
    job_types=("email", "fire-safety-register", "issue-document"),
    # Archives Act selection list: refused or withdrawn applications are destroyed 10 years after the
    # decision; a granted permit stays with the building
    retention=Retention(
        after_days=3653,
        action=RetentionAction.ERASE,
        kept_at=("permit_issued",),
        legal_basis=_t(
            "Legal obligation (Archives Act): a refused or withdrawn application is kept 10 years after the "
            "decision; a granted permit is kept permanently.",
            "Wettelijke plicht (Archiefwet): een geweigerde of ingetrokken aanvraag wordt 10 jaar na het besluit "
            "bewaard; een verleende vergunning blijvend.",
        ),
    ),
)

TAX_REFUND = ReferenceService(
    id="tax_refund",
    process_id="tax_refund",
    title=_t("Income tax refund", "Teruggaaf inkomstenbelasting"),
    summary=_t(
        "Claim back income tax that was withheld for a past year. We check straight away whether you are "
        "eligible and how much you get back. Some claims are checked by two of our staff. The bank pays the "
        "refund into your account.",
        "Vraag ingehouden inkomstenbelasting over een afgelopen jaar terug. We controleren meteen of u recht "
        "hebt op teruggaaf en hoeveel u terugkrijgt. Sommige verzoeken worden door twee medewerkers "
        "gecontroleerd. De bank stort de teruggaaf op uw rekening.",
    ),
    bpmn=("tax_refund.bpmn",),
    dmn=("tax_refund_assessment.dmn", "tax_refund_risk.dmn"),
    forms=("tr-claim.form", "tr-review.form", "tr-senior-review.form", "tr-payout-check.form"),
    start_form="tr-claim",
    milestones=(
        Milestone(element="claim_submitted", key="submitted", label=_t("Claim received", "Verzoek ontvangen")),
        Milestone(element="assess_claim", key="assessed", label=_t("Claim assessed", "Verzoek beoordeeld")),
        Milestone(
            element="first_review", key="in-review", label=_t("Checked by staff", "Gecontroleerd door medewerkers")
        ),
        Milestone(
            element="request_payout", key="payout-requested", label=_t("Payout requested", "Uitbetaling aangevraagd")
        ),
        Milestone(element="refund_paid", key="paid", label=_t("Refund paid", "Teruggaaf betaald")),
        Milestone(element="claim_ineligible", key="not-eligible", label=_t("Not eligible", "Geen recht op teruggaaf")),
        Milestone(element="claim_rejected", key="rejected", label=_t("Claim rejected", "Verzoek afgewezen")),
        Milestone(element="payout_failed", key="payout-failed", label=_t("Payout failed", "Uitbetaling mislukt")),
    ),
    kpis=KpiTargets(
        processing_time="P21D",
        stages=(
            StageTarget(element="first_review", label=_t("First review", "Eerste controle"), target="P3D"),
            StageTarget(element="second_review", label=_t("Second review", "Tweede controle"), target="P3D"),
            StageTarget(element="senior_review", label=_t("Senior decision", "Besluit senior"), target="P2D"),
            StageTarget(element="await_payout", label=_t("Bank payout", "Uitbetaling door de bank"), target="P5D"),
        ),
    ),
    departments=(
        Department(
            key="citizen",
            name=_t("Claimant", "Aanvrager"),
            roles=(Role(key="citizen", group="citizen", name=_t("Citizen", "Burger")),),
        ),
        Department(
            key="assessment",
            name=_t("Assessment", "Beoordeling"),
            roles=(
                Role(key="assessor", group="assessment", name=_t("Assessor", "Beoordelaar")),
                Role(key="senior", group="assessment-senior", name=_t("Senior assessor", "Senior beoordelaar")),
            ),
        ),
        Department(
            key="control",
            name=_t("Control", "Controle"),
            roles=(Role(key="controller", group="control", name=_t("Controller", "Controleur")),),
        ),
        _dept("payments", "Payments", "Betalingen"),
    ),
    decision_samples=(
        DecisionSample(
            file="tax_refund_assessment.dmn",
            decision="tax_refund_assessment",
            inputs={
                "residentStatus": "resident",
                "taxYear": 2024,
                "taxableIncome": 30000,
                "deductions": 2000,
                "taxPaid": 12000,
            },
            expected={
                "Assessment": {
                    "eligible": True,
                    "reason": "Eligible: resident, recent tax year, tax withheld.",
                    "refund": 1640,
                }
            },
        ),
        DecisionSample(
            file="tax_refund_assessment.dmn",
            decision="tax_refund_assessment",
            inputs={
                "residentStatus": "resident",
                "taxYear": 2019,
                "taxableIncome": 30000,
                "deductions": 0,
                "taxPaid": 12000,
            },
            expected={
                "Assessment": {
                    "eligible": False,
                    "reason": "Refunds can be claimed for the last five tax years only.",
                    "refund": 0,
                }
            },
        ),
        DecisionSample(
            file="tax_refund_risk.dmn",
            decision="tax_refund_risk",
            inputs={"assessment": {"refund": 1640}, "deductions": 2000, "claimNumber": 20},
            expected={"Risk": {"score": 10, "manualReview": True, "reason": "Random sample (one in ten)"}},
        ),
        DecisionSample(
            file="tax_refund_risk.dmn",
            decision="tax_refund_risk",
            inputs={"assessment": {"refund": 6000}, "deductions": 0, "claimNumber": 7},
            expected={"Risk": {"score": 80, "manualReview": True, "reason": "Large refund"}},
        ),
    ),
    messages=("PayoutConfirmed",),
    job_types=("email", "http"),
    # 7 years after the end of the tax year; a claim ends after its tax year, so 7 years after the case
    # ended is never shorter
    retention=Retention(
        after_days=2557,
        action=RetentionAction.ANONYMISE,
        legal_basis=_t(
            "Legal obligation (tax law): a claim is kept 7 years, the period in which the tax can be reassessed.",
            "Wettelijke plicht (belastingwet): een verzoek wordt 7 jaar bewaard, de termijn waarin de belasting "
            "kan worden nagevorderd.",
        ),
    ),
)

RECORD_TRANSFER = ReferenceService(
    id="record_transfer",
    process_id="record_transfer",
    title=_t("Transfer your medical records", "Medisch dossier overdragen"),
    summary=_t(
        "Moving to a new GP or hospital? With your permission we ask your current care provider to send your "
        "records to the new one. You choose what is sent, we watch the deadline, and every access is logged.",
        "Gaat u naar een nieuwe huisarts of een ander ziekenhuis? Met uw toestemming vragen wij uw huidige "
        "zorgaanbieder uw dossier naar de nieuwe te sturen. U kiest wat er wordt verstuurd, wij bewaken de "
        "termijn en elke inzage wordt vastgelegd.",
    ),
    bpmn=("record_transfer.bpmn",),
    dmn=("record_transfer_deadline.dmn",),
    forms=("rt-request.form", "rt-consent.form", "rt-chase.form"),
    start_form="rt-request",
    milestones=(
        Milestone(element="transfer_requested", key="requested", label=_t("Request received", "Verzoek ontvangen")),
        Milestone(element="give_consent", key="consent", label=_t("Consent recorded", "Toestemming vastgelegd")),
        Milestone(
            element="send_request", key="requested-from-provider", label=_t("Records requested", "Dossier opgevraagd")
        ),
        Milestone(element="await_records", key="delivered", label=_t("Records delivered", "Dossier geleverd")),
        Milestone(element="transfer_completed", key="completed", label=_t("Transfer completed", "Overdracht voltooid")),
        Milestone(
            element="consent_refused", key="consent-refused", label=_t("Consent refused", "Toestemming geweigerd")
        ),
        Milestone(element="transfer_failed", key="failed", label=_t("Transfer failed", "Overdracht mislukt")),
    ),
    kpis=KpiTargets(
        processing_time="P14D",
        stages=(
            StageTarget(element="give_consent", label=_t("Consent", "Toestemming"), target="P7D"),
            StageTarget(
                element="await_records",
                label=_t("Delivery by the provider", "Levering door de zorgaanbieder"),
                target="P10D",
            ),
            StageTarget(element="chase_provider", label=_t("Escalation", "Escalatie"), target="P2D"),
        ),
    ),
    departments=(
        Department(
            key="citizen",
            name=_t("Patient", "Patiënt"),
            roles=(Role(key="citizen", group="citizen", name=_t("Patient", "Patiënt")),),
        ),
        _dept("records", "Medical Records", "Medische dossiers", head=True),
        _dept("privacy", "Privacy Office", "Privacybureau"),
    ),
    decision_samples=(
        DecisionSample(
            file="record_transfer_deadline.dmn",
            decision="record_transfer_deadline",
            inputs={"urgency": "urgent"},
            expected={"Delivery deadline": "P2D"},
        ),
        DecisionSample(
            file="record_transfer_deadline.dmn",
            decision="record_transfer_deadline",
            inputs={"urgency": "routine"},
            expected={"Delivery deadline": "P10D"},
        ),
    ),
    messages=("RecordsDelivered",),
    job_types=("audit-access", "email", "publish"),
    retention=Retention(
        after_days=7305,
        action=RetentionAction.ANONYMISE,
        legal_basis=_t(
            "Legal obligation (medical treatment contracts act): the request and who had access are kept 20 "
            "years, as long as the medical records themselves.",
            "Wettelijke plicht (Wet op de geneeskundige behandelingsovereenkomst): het verzoek en wie toegang had "
            "worden 20 jaar bewaard, even lang als het medisch dossier zelf.",
        ),
    ),
)

REFERENCE_SERVICES: tuple[ReferenceService, ...] = (BUILDING_PERMIT, TAX_REFUND, RECORD_TRANSFER)
