"""How long things take in the generated history (``civicflow demo load``), and why.

Public-sector durations are not independent draws: they depend on who does the work, how much of
it is waiting, what the case is, when it is, and who the citizen is. The generator models each of
these as a factor on a lognormal median, and keeps a lognormal spread on top of the product, so
no duration is ever certain:

Staff work (user tasks with a candidate group: intake, zoning, fire safety, heritage, permits,
assessment, payments, records; ``_staff_hours``):

- **Workload**: a department with more work open than it usually has is slower, by the square
  root of the ratio (open tasks of the department when the task arrives / the department's mean
  so far). Staff are sized for the usual load; a peak is worked through, not staffed away.
- **The case**: the bigger and more complex the building, the longer every review.
  Zoning, heritage and the permit decision scale with (floor area / 60 m2) ** 0.25; fire safety
  by building type (a shed is quick, a commercial building is not) and floor area ** 0.125;
  intake takes longer for commercial buildings and dwellings (more documents); zoning in a
  heritage zone takes 25% longer. A non-resident's tax refund takes 50% longer to review; an
  urgent record transfer is handled in half the time.
- **Season and weekday**: a task that arrives on a Thursday or Friday takes 25% longer (the
  weekend falls inside it); in the summer holidays (15 July to 31 August) work is 35% slower and
  around Christmas (20 December to 6 January) 50%. (Durations stay in calendar time, with no
  work-free weekends in the log: a staff calendar would make the simulation's fitted pools wait
  for Monday, and its staffing scenarios would then measure the calendar, not the staff.)
- Spread: lognormal with sigma 0.45 around the product.

Citizens (the applicant's documents and payment; ``promptness``):

- Each applicant has a **promptness** drawn once per case (lognormal, sigma 0.35; 1 is typical,
  2 twice as slow). It drives what the applicant does in that case: how likely the application
  is incomplete, how long the missing documents take, how long the payment takes and whether it
  is forgotten until the reminder. So a citizen who sent documents late is likely to pay late too.
- **The fee**: private applicants pay the fee within about 2 + fee / 150 days (a shed's 120 EUR
  in under three days, a dwelling's 750 EUR in a week); businesses (commercial buildings) pay on
  their 3-week invoice run. In the summer holidays citizens take 30% longer.
- Some never act: documents never come (the application is withdrawn after 30 days) or the fee is
  never paid (the permit is cancelled), more often the slower the applicant.

Randomness stays: every plan is drawn from the load's seeded ``random.Random``, and the
promptness, spreads and never-act chances mean that the same case, attributes and workload do
not give the same duration twice.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Final

__all__ = ["Behaviour", "lognormal_hours"]

Values = dict[str, Any]

_STAFF_SPREAD: Final = 0.45
_PROMPTNESS_SPREAD: Final = 0.35
_FIRE_BY_TYPE: Final = {"shed": 0.4, "extension": 0.8, "dwelling": 1.1, "commercial": 1.5}
_INTAKE_BY_TYPE: Final = {"shed": 0.8, "extension": 1.0, "dwelling": 1.2, "commercial": 1.5}
_INCOMPLETE_BY_TYPE: Final = {"shed": 0.6, "extension": 1.0, "dwelling": 1.2, "commercial": 1.4}


def lognormal_hours(rng: random.Random, median_hours: float, spread: float = 0.6) -> timedelta:
    return timedelta(hours=median_hours * math.exp(rng.gauss(0.0, spread)))


def _in(day: date, first: tuple[int, int], last: tuple[int, int]) -> bool:
    here = (day.month, day.day)
    if first <= last:
        return first <= here <= last
    return here >= first or here <= last


def _staff_season(day: date) -> float:
    if _in(day, (7, 15), (8, 31)):
        return 1.35
    if _in(day, (12, 20), (1, 6)):
        return 1.5
    return 1.0


def _citizen_season(day: date) -> float:
    return 1.3 if _in(day, (7, 15), (8, 31)) else 1.0


def _weekday(created: datetime) -> float:
    return 1.25 if created.weekday() in (3, 4) else 1.0  # Thursday, Friday: the weekend falls inside


def _area(values: Mapping[str, Any]) -> float:
    area = values.get("floorArea")
    return float(area) / 60 if isinstance(area, int | float) and area > 0 else 1.0


def _review(rng: random.Random, approve: float) -> Values:
    ok = rng.random() < approve
    return {"reviewApproved": ok, "reviewNotes": rng.choice(("ok", "fine", "no objections")) if ok else "objection"}


def _case_factor(element: str, values: Mapping[str, Any]) -> float:
    """How much longer (or shorter) this case's staff work is than a typical case's."""
    kind = str(values.get("buildingType", ""))
    area = _area(values)
    factor = 1.0
    if element == "check_completeness":
        factor = _INTAKE_BY_TYPE.get(kind, 1.0)
    elif element in ("zoning_review", "heritage_review", "caseworker_decision"):
        factor = area**0.25
        if element == "zoning_review" and values.get("heritageZone") is True:
            factor *= 1.25
    elif element == "fire_review":
        factor = _FIRE_BY_TYPE.get(kind, 1.0) * area**0.125
    if values.get("residentStatus") == "non-resident":
        factor *= 1.5
    if values.get("urgency") == "urgent":
        factor *= 0.5
    return factor


@dataclass
class Behaviour:
    """The generator's plans for tasks and messages; see the module docstring for what drives them.

    ``departments`` maps a staff task's element id to its department (first candidate group);
    elements not in it (the patient's consent) are the citizen's.
    """

    rng: random.Random
    departments: Mapping[str, str]
    open: Counter[str] = field(default_factory=Counter)
    _level: dict[str, tuple[float, int]] = field(default_factory=dict)
    _promptness: dict[str, float] = field(default_factory=dict)
    _reworked: set[str] = field(default_factory=set)

    def promptness(self, values: Mapping[str, Any]) -> float:
        """The applicant's slowness in this case (drawn once per case: 1 typical, 2 twice as slow)."""
        case = str(values.get("caseNumber") or values.get("claimId") or values.get("transferId") or "")
        if case not in self._promptness:
            self._promptness[case] = math.exp(self.rng.gauss(0.0, _PROMPTNESS_SPREAD))
        return self._promptness[case]

    def _load(self, department: str) -> float:
        """Open work of ``department`` against its mean so far (square root: peaks are worked through)."""
        now = self.open[department]
        total, n = self._level.get(department, (0.0, 0))
        self._level[department] = (total + now, n + 1)
        if n < 20:
            return 1.0
        return math.sqrt((now + 1) / (total / n + 1))

    def task(self, element: str, values: Mapping[str, Any], created: datetime) -> tuple[datetime, Values | None]:
        """When the task ``element`` (created at ``created``) is done, and its form data (None: never)."""
        median, form = self._form(element, values)
        department = self.departments.get(element)
        if department is None:  # the citizen's own task
            if form is None:
                return created, None
            hours = median * self.promptness(values) * _citizen_season(created.date())
            return created + lognormal_hours(self.rng, hours, 0.5), form
        hours = median * _case_factor(element, values) * self._load(department)
        hours *= _staff_season(created.date()) * _weekday(created)
        self.open[department] += 1
        return created + lognormal_hours(self.rng, hours, _STAFF_SPREAD), form

    def done(self, element: str) -> None:
        """A staff task planned by :meth:`task` is done (or closed): its department has one less open."""
        department = self.departments.get(element)
        if department is not None and self.open[department] > 0:
            self.open[department] -= 1

    def _form(self, element: str, values: Mapping[str, Any]) -> tuple[float, Values | None]:
        """(median hours for a typical case, form data or None = never done)."""
        rng = self.rng
        if element == "check_completeness":
            return 30, self._completeness(values)
        if element in ("zoning_review", "heritage_review"):
            return 24 * 5, _review(rng, 0.9)
        if element == "fire_review":
            return 24 * 6, _review(rng, 0.92)
        if element.endswith("_escalation"):
            return 36, {"escalationNote": rng.choice(("reassigned", "reviewer reminded", "second reviewer added"))}
        if element == "caseworker_decision":
            ok = rng.random() < 0.8
            return 48, {"approved": ok, "decisionReason": "All advice considered." if ok else "Advice negative."}
        if element in ("first_review", "second_review"):
            return 24 * 3, _review(rng, 0.75)
        if element == "senior_review":
            ok = rng.random() < 0.6
            return 24 * 4, {"finalApproved": ok, "seniorNotes": "deduction allowed" if ok else "not proven"}
        if element == "investigate_payout":
            retry = rng.random() < 0.75
            return 24, {"retryPayout": retry, "payoutNote": "bank lost the batch" if retry else "account closed"}
        if element == "give_consent":
            if rng.random() < 0.08:
                return 30, {"consentGiven": False}
            scope = rng.choice((["summary"], ["summary", "medication"], ["full"]))
            return 30, {"consentGiven": True, "consentScope": scope}
        if element == "chase_provider":
            retry = rng.random() < 0.8
            return 20, {"resendRequest": retry, "chaseNote": "wrong address used" if retry else "provider closed"}
        return 24, {}

    def _completeness(self, values: Mapping[str, Any]) -> Values:
        case = str(values.get("caseNumber") or "")
        kind = str(values.get("buildingType", ""))
        # about 22% overall: more for slow applicants and for buildings that need more documents
        chance = min(0.6, 0.18 * self.promptness(values) * _INCOMPLETE_BY_TYPE.get(kind, 1.0))
        if case not in self._reworked and self.rng.random() < chance:
            self._reworked.add(case)
            return {
                "documentsComplete": False,
                "missingDocuments": self.rng.choice(("floor plan", "site plan", "photos")),
            }
        return {"documentsComplete": True}

    def message(self, name: str, values: Mapping[str, Any], now: datetime) -> tuple[datetime | None, Values]:
        """When the message ``name`` comes for this case (None: never), and its payload."""
        hours, payload = self._message_hours(name, values, now)
        return (None if hours is None else now + timedelta(hours=hours)), payload

    def _message_hours(self, name: str, values: Mapping[str, Any], now: datetime) -> tuple[float | None, Values]:
        rng = self.rng
        r = rng.random()
        if name == "DocumentsSupplied":
            slow = self.promptness(values)
            if r < 0.04 + 0.05 * slow:
                return None, {}  # never: withdrawn after 30 days
            hours = 24 * 5 * slow * _citizen_season(now.date()) * math.exp(rng.gauss(0.0, 0.5))
            return hours, {"documents": ["supplement.pdf"]}
        if name == "PaymentReceived":
            return self._payment(values, now, r)
        if name == "PayoutConfirmed":
            hours = rng.uniform(24 * 6, 24 * 9) if r < 0.1 else rng.uniform(12, 24 * 4)  # some pass the 5-day wait
            return hours, {"bankReference": f"B-{rng.randrange(10**6)}"}
        if name == "RecordsDelivered":
            if r < 0.05:
                return None, {}
            hours = rng.uniform(6, 24 * 12) * (0.5 if values.get("urgency") == "urgent" else 1.0)
            return hours, {"recordsRef": f"bundle-{rng.randrange(10**6)}"}
        return rng.uniform(1, 48), {}

    def _payment(self, values: Mapping[str, Any], now: datetime, r: float) -> tuple[float | None, Values]:
        """The fee: by the fee and the payer, and whether it waits for the reminder (after 30 days)."""
        rng = self.rng
        fee = values.get("fee", 0)
        amount = float(fee) if isinstance(fee, int | float) else 0.0
        slow = self.promptness(values)
        paid = {"amountPaid": fee}
        if r < 0.02 + 0.02 * slow:
            return None, {}  # never: the permit is cancelled after the reminder's 14 days
        if rng.random() < min(0.5, 0.07 * slow):
            return 24 * 30 + 24 * 3 * slow * math.exp(rng.gauss(0.0, 0.5)), paid  # forgot it until the reminder
        season = _citizen_season(now.date())
        if values.get("buildingType") == "commercial":  # a business pays on its invoice run
            return 24 * 21 * math.sqrt(slow) * math.exp(rng.gauss(0.0, 0.25)), paid
        return 24 * (2 + amount / 150) * slow * season * math.exp(rng.gauss(0.0, 0.5)), paid
