"""`portal demo`: about 200 people with names from many locales and about 400 cases with
realistic histories, fed through the real ingest path (so demo data obeys every API rule).

Deterministic: a fixed seed and a fixed anchor date, so a second run stores nothing new.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from faker import Faker
from sqlmodel import Session, select

from portal.catalog import load_catalog
from portal.core import releases, requests
from portal.core.accounts import create_confirmed_user, link_case, new_totp_secret, production_hasher
from portal.core.cases import CASE_EVENTS
from portal.core.errors import LinkFailed
from portal.core.ingest import create_api_client, ingest_batch
from portal.core.models import ApiClient, Case, IngestedEvent, User
from portal.core.representatives import REPRESENTATIONS, profile_of, save_profile, verify_profile
from portal.demo_access import access_events, seed_access_events, showcase_events

SEED = 1367
ANCHOR = datetime(2026, 11, 15, 17, 0, tzinfo=UTC)  # the demo's "today"; no event after it
DEMO_CLIENT_NAME = "demo USCIS feed"
NAME_LOCALES = ["es_MX", "zh_CN", "zh_TW", "vi_VN", "fil_PH", "ko_KR", "ar_EG", "fr_FR", "pt_BR",
                "ru_RU", "uk_UA", "fa_IR", "hi_IN", "en_US", "es_CO", "pl_PL", "ne_NP", "tr_TR"]
LANGUAGE_OF = {"es_MX": "es", "es_CO": "es", "ar_EG": "ar"}

FIRST_OFFICES = {
    "I-90": ["NBC", "ELIS"], "I-129F": ["CSC", "VSC", "NSC"],
    "I-130": ["CSC", "VSC", "NSC", "TSC", "ELIS"], "I-131": ["NBC", "TSC", "ELIS", "YSC"],
    "I-140": ["NSC", "TSC", "ELIS"], "I-360": ["VSC"], "I-485": ["NBC"], "I-589": ["NBC"],
    "I-601A": ["NBC", "ELIS"], "I-751": ["CSC", "VSC", "NSC", "TSC", "ELIS", "YSC"],
    "I-765": ["NBC", "TSC", "ELIS", "YSC", "VSC"], "I-821D": ["NSC", "TSC", "ELIS"],
    "I-914": ["VSC"], "I-918": ["VSC"], "N-400": ["ELIS"], "G-639": ["NBC"],
}
FIELD_OFFICES = ["LOS", "NYC", "HOU", "CHI", "MIA"]
COHORT, COHORT_MONTH, COHORT_SIZE = ("I-765", "ELIS"), (2026, 1), 60
BIOMETRIC_FORMS = {"I-90", "I-485", "I-589", "I-751", "I-765", "I-821D", "N-400", "I-601A",
                   "I-914", "I-918", "I-360"}
INTERVIEW_FORMS = {"I-485", "N-400", "I-589", "I-751", "I-130"}
CARD_FORMS = {"I-90", "I-485", "I-751", "I-765", "I-821D"}
PETITION_FORMS = {"I-130", "I-129F"}
FORM_WEIGHTS = {"I-130": 9, "I-765": 8, "N-400": 8, "I-90": 5, "I-751": 5, "I-129F": 3,
                "I-140": 3, "I-131": 3, "I-589": 4, "I-821D": 3, "I-601A": 2, "G-639": 2,
                "I-360": 1, "I-914": 1, "I-918": 1}


@dataclass
class DemoSummary:
    stored: int
    already_seeded: bool
    examples: dict[str, str] = field(default_factory=dict)
    cases: int = 0
    access_codes: list[tuple[str, str, str]] = field(default_factory=list)
    logins: list[tuple[str, str, str | None]] = field(default_factory=list)

    def describe(self) -> str:
        lines = ["Demo data already present; nothing new stored." if self.already_seeded
                 else f"Demo data stored: {self.stored} events."]
        lines.append(f"{self.cases} demo cases. Receipt numbers to try in the status lookup:")
        lines += [f"  {receipt}  {what}" for what, receipt in self.examples.items()]
        lines.append("To link a case to an account (Create an account, then Add a case):")
        lines += [f"  receipt {receipt}  access code {code}  ({role})"
                  for receipt, code, role in self.access_codes]
        lines.append(f"Demo logins (password for all: {DEMO_PASSWORD!r}; add the TOTP key to an authenticator app):")
        lines += [f"  {role:<15} {email:<32} {f'TOTP key {secret}' if secret else ''}".rstrip()
                  for role, email, secret in self.logins]
        lines.append("Cases like mine, with enough cases to show figures: "
                     f"/en/statistics/cases?form={COHORT[0]}&office={COHORT[1]}&month={COHORT_MONTH[0]}-{COHORT_MONTH[1]:02d}")
        lines.append("To feed the API, create a token with: portal api-client create --agency USCIS")
        return "\n".join(lines)


class _Generator:
    def __init__(self) -> None:
        self.random = random.Random(SEED)
        self.catalog = load_catalog()
        self.receipts: set[str] = set()
        self.events: list[dict] = []
        self.notes: dict[str, str] = {}
        self.fakers: dict[str, Faker] = {}

    def person(self, index: int) -> dict:
        locale = NAME_LOCALES[index % len(NAME_LOCALES)]
        if locale not in self.fakers:  # building a Faker is slow: one per locale
            self.fakers[locale] = Faker(locale)
        fake = self.fakers[locale]
        fake.seed_instance(SEED + index)
        birth = fake.date_of_birth(minimum_age=18, maximum_age=80)
        return {
            "a_number": f"A{self.random.randint(10_000_000, 249_999_999):09d}",
            "given_name": fake.first_name()[:200],
            "family_name": fake.last_name()[:200],
            "date_of_birth": birth.isoformat(),
            "email": f"demo.person{index}@example.org",
            "preferred_language": LANGUAGE_OF.get(locale, "en"),
        }

    def receipt_number(self, office: str, received: datetime) -> str:
        prefix = self.random.choice(self.catalog.offices[office].receipt_prefixes)
        fiscal_year = (received.year + (1 if received.month >= 10 else 0)) % 100
        while True:
            workday = self.random.randint(1, 250)
            serial = self.random.randint(0, 99_999)
            receipt = f"{prefix}{fiscal_year:02d}{workday:03d}{serial:05d}"
            if receipt not in self.receipts:
                self.receipts.add(receipt)
                return receipt

    def statuses(self, form: str) -> list[tuple[str, str | None]]:
        """The path a case of `form` takes: (status, office change or None)."""
        r = self.random
        path: list[tuple[str, str | None]] = [("case_received", None)]
        if r.random() < 0.03:
            return path + [("case_rejected", None)]
        if form in BIOMETRIC_FORMS:
            if r.random() < 0.3:
                path.append(("fingerprint_fee_received", None))
            path += [("biometrics_scheduled", None), ("fingerprints_taken", None)]
        path.append(("actively_reviewed", None))
        if r.random() < 0.3:
            path += [("rfe_sent", None), ("rfe_response_received", None)]
        if form in INTERVIEW_FORMS and (form != "I-130" or r.random() < 0.4):
            if form != "N-400" or r.random() < 0.5:
                path.append(("case_transferred", r.choice(FIELD_OFFICES)))
            path.append(("interview_scheduled", None))
        outcome = r.random()
        if outcome < 0.08:
            path.append(("case_denied", None))
            if r.random() < 0.25:
                path += [("case_reopened", None), ("actively_reviewed", None)]
            return path
        if outcome < 0.1:
            return path + [("withdrawal_acknowledged", None)]
        path.append(("case_approved", None))
        if form in CARD_FORMS:
            path += [("card_being_produced", None), ("card_mailed", None)]
        elif form == "N-400":
            path.append(("oath_ceremony_scheduled", None))
        return path

    def case(self, form: str, parties: list[dict], received: datetime, protected: bool,
             office: str | None = None) -> str:
        office = office or self.random.choice(FIRST_OFFICES[form])
        receipt = self.receipt_number(office, received)
        when = received
        for n, (status, moved_to) in enumerate(self.statuses(form)):
            if n:
                when += timedelta(days=self.random.randint(10, 150), hours=self.random.randint(0, 8))
            if when > ANCHOR:
                break
            office = moved_to or office
            event = {
                "event_id": f"demo-{receipt}-{n}",
                "receipt_number": receipt,
                "occurred_at": when.isoformat().replace("+00:00", "Z"),
                "form_type": form,
                "status": status,
                "office": office,
                "protected": protected,
            }
            if n == 0:
                event["parties"] = parties
            self.events.append(event)
            self.notes[receipt] = status
        return receipt

    def retract_mistake(self, receipt: str, form: str) -> None:
        """An RFE sent to the wrong case, then retracted by the agency."""
        last = next(e for e in reversed(self.events) if e["receipt_number"] == receipt)
        when = datetime.fromisoformat(last["occurred_at"].replace("Z", "+00:00"))
        mistake = dict(last, event_id=f"demo-{receipt}-mistake", status="rfe_sent",
                       occurred_at=(when + timedelta(days=3)).isoformat().replace("+00:00", "Z"))
        mistake.pop("parties", None)
        if datetime.fromisoformat(mistake["occurred_at"].replace("Z", "+00:00")) > ANCHOR:
            return
        self.events.append(mistake)
        self.events.append({"event_id": f"demo-{receipt}-retraction",
                            "retracts": mistake["event_id"],
                            "reason": "Request for evidence entered on the wrong case."})
        self.notes[receipt] = "retracted"

    def build(self, people: int = 200, target_cases: int = 400) -> None:
        r = self.random
        persons = [self.person(i) for i in range(people)]
        forms, weights = zip(*FORM_WEIGHTS.items(), strict=True)
        count = 0
        for index, person in enumerate(persons):
            remaining = target_cases - count
            if remaining <= 0:
                break
            received = ANCHOR - timedelta(days=r.randint(20, 4 * 365))
            code = lambda: "".join(r.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(12))  # noqa: E731
            applicant = dict(person, role="applicant", access_code=code())
            if index % 4 == 0 and remaining >= 3:
                # The common family bundle: green card, work permit and travel document together.
                for form in ("I-485", "I-765", "I-131"):
                    self.case(form, [dict(applicant, access_code=code())], received, False)
                count += 3
                continue
            for _ in range(min(remaining, r.choice((1, 2, 2, 3)))):
                form = r.choices(forms, weights)[0]
                if form in PETITION_FORMS:
                    petitioner = persons[(index + 7) % len(persons)]
                    parties = [dict(petitioner, role="petitioner", access_code=code()),
                               dict(person, role="beneficiary", access_code=code())]
                else:
                    parties = [applicant]
                protected = r.random() < 0.02
                receipt = self.case(form, parties, received, protected)
                if r.random() < 0.03:
                    self.retract_mistake(receipt, form)
                received += timedelta(days=r.randint(30, 400))
                if received > ANCHOR - timedelta(days=5):
                    received = ANCHOR - timedelta(days=r.randint(5, 60))
                count += 1

        # One cohort big enough for "cases like mine" to show figures rather than hidden cells.
        for n in range(COHORT_SIZE):
            person = persons[(n * 7) % len(persons)]
            received = datetime(*COHORT_MONTH, 1, 15, tzinfo=UTC) + timedelta(days=r.randint(0, 27))
            access_code = "".join(r.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(12))
            self.case(COHORT[0], [dict(person, role="applicant", access_code=access_code)], received, False,
                      office=COHORT[1])

def _examples(session: Session, generator: _Generator) -> dict[str, str]:
    rows = session.exec(select(Case.receipt_number, Case.status, Case.office, Case.protected,
                               Case.received_at, Case.form_type)).all()
    examples: dict[str, str] = {}

    def pick(label: str, predicate) -> None:
        for row in sorted(rows):
            if predicate(row) and row.receipt_number not in examples.values():
                examples[label] = row.receipt_number
                return

    pick("request for evidence sent (action required)", lambda c: c.status == "rfe_sent" and not c.protected)
    pick("transferred to a field office",
         lambda c: c.office in FIELD_OFFICES and not c.protected and c.status != "case_approved")
    pick("interview scheduled", lambda c: c.status == "interview_scheduled" and not c.protected)
    pick("card mailed", lambda c: c.status == "card_mailed" and not c.protected)
    pick("a corrected (retracted) event",
         lambda c: generator.notes.get(c.receipt_number) == "retracted" and not c.protected)
    pick("protected (answers 'not found', by design)", lambda c: c.protected)
    return examples


def seed_demo(session: Session, hasher=None, files_folder: Path | None = None) -> DemoSummary:
    """Seed everything (idempotent); `files_folder` keeps the demo requests' files."""
    hasher = hasher or production_hasher()
    generator = _Generator()
    generator.build()
    last_id = generator.events[-1]["event_id"]
    client = session.exec(select(ApiClient).where(ApiClient.name == DEMO_CLIENT_NAME)).first()
    if client is None:
        client, _token = create_api_client(session, "USCIS", DEMO_CLIENT_NAME)  # token never shown
    seeded = session.exec(select(IngestedEvent.id).where(
        IngestedEvent.endpoint == CASE_EVENTS.name, IngestedEvent.event_id == last_id)).first()
    stored = 0
    if seeded is None:
        for start in range(0, len(generator.events), 1000):
            outcome = ingest_batch(session, CASE_EVENTS, client, generator.events[start:start + 1000])
            if outcome.rejected:
                raise RuntimeError(f"demo data rejected by the API rules: {outcome.rejected[:3]}")
            stored += len(outcome.accepted)
    session.commit()
    examples = _examples(session, generator)
    codes = _access_codes(generator, list(examples.values())[:3])
    stored += seed_access_events(session, access_events(_subjects(generator), ANCHOR, SEED)
                                 + showcase_events(codes[0][0], ANCHOR))
    summary = DemoSummary(stored=stored, already_seeded=seeded is not None, examples=examples,
                          cases=len(generator.receipts), access_codes=codes,
                          logins=_demo_logins(session, client, codes[0], hasher, files_folder, codes[1][0]))
    return summary


DEMO_PASSWORD = "demo passphrase 2026"  # noqa: S105 (printed by `portal demo`: demo data only)
DEMO_ACCOUNTS = [("applicant", "applicant@example.org"), ("representative", "attorney@example.org"),
                 ("privacy_officer", "privacy.officer@example.org"), ("supervisor", "supervisor@example.org"),
                 ("admin", "admin@example.org")]


def _demo_logins(session: Session, client: ApiClient, first_code: tuple[str, str, str], hasher,
                 files_folder: Path | None, second_receipt: str) -> list[tuple[str, str, str | None]]:
    """One account per role (idempotent). The applicant has the first printed case linked, and
    the attorney a G-28 for it; staff and the attorney get a TOTP key (they must use one)."""
    now = datetime.now(UTC)
    users = {}
    for role, email in DEMO_ACCOUNTS:
        user = session.exec(select(User).where(User.email_key == email)).first()
        if user is None:
            user = create_confirmed_user(session, email, DEMO_PASSWORD, "applicant" if role == "representative"
                                         else role, hasher, now)
            if role != "applicant":
                user.totp_secret = new_totp_secret()
                session.add(user)
                session.commit()
        users[role] = user
    receipt, code, party_role = first_code
    try:
        link_case(session, users["applicant"], receipt, code, "demo", now)
    except LinkFailed:
        pass
    if profile_of(session, users["representative"]) is None:
        save_profile(session, users["representative"], "Dana Demo", "123456", "NY", None, "Demo Legal Aid")
        verify_profile(session, users["representative"].public_id, users["admin"], now)
    ingest_batch(session, REPRESENTATIONS, client, [{
        "event_id": "demo-g28-1", "receipt_number": receipt, "party_role": party_role,
        "representative": {"email": "attorney@example.org", "bar_number": "123456", "bar_state": "NY",
                           "organization": "Demo Legal Aid"},
        "action": "filed", "effective_on": now.date().isoformat()}])
    _demo_requests(session, users, now, files_folder, second_receipt)
    return [(role, users[role].email, users[role].totp_secret) for role, _ in DEMO_ACCOUNTS]


def _demo_requests(session: Session, users: dict[str, User], now: datetime, files_folder: Path | None,
                   second_receipt: str) -> None:
    """Privacy requests at every stage (idempotent: the same submission keys file nothing twice):
    the applicant's access request asking for faster processing, waiting in the queue; an
    accounting acknowledged; an earlier access request answered in part, with records withheld
    under exemptions and a part referred to ICE; and the attorney's request about a person who
    signed a consent, waiting for staff to check it."""
    applicant, officer, boss = users["applicant"], users["privacy_officer"], users["supervisor"]

    def file(requester, key, name, **values):
        return requests.file_request(session, requester, requests.NewRequest(
            declaration_name=name, language=requester.preferred_language, submission_key=key, **values), now)

    file(applicant, "demo-request-access", "Demo Applicant", kind="access", track=2,
         description="My whole A-File, please.", expedite=True,
         expedite_statement="My hearing before the immigration judge is in three weeks.")
    accounting = file(applicant, "demo-request-accounting", "Demo Applicant", kind="accounting",
                      description="Everyone who received my records since 2020.")
    if accounting.status == "submitted":
        requests.staff_move(session, accounting, "acknowledged", officer, "", now)
    earlier = now - timedelta(days=60)
    answered = requests.file_request(session, applicant, requests.NewRequest(
        kind="access", track=1, description="My 2019 interview notes and the I-213.",
        declaration_name="Demo Applicant", language=applicant.preferred_language,
        submission_key="demo-request-answered"), earlier)
    if answered.status == "submitted":
        requests.staff_move(session, answered, "acknowledged", officer, "", earlier)
        releases.withhold(session, answered, officer, "Interview notes of 12 March 2019, pages 4-6", 3, "b7C",
                          earlier)
        releases.withhold(session, answered, officer, "Officer's assessment memo", 2, "b5", earlier)
        releases.refer(session, answered, officer, "ICE", "2026-ICFO-04511", "Form I-213 and detention records",
                       earlier)
        requests.propose_outcome(session, answered, "completed_partial", officer,
                                 "We release 41 pages in full and 2 in part; 5 pages are withheld.", earlier)
        requests.approve_outcome(session, answered, boss, earlier + timedelta(days=1))
    consent = file(users["representative"], "demo-request-consent", "Dana Demo", kind="accounting",
                   description="Every disclosure of my client's records.",
                   consent_subject=f"Demo Client · {second_receipt}")
    if files_folder is not None and not requests.request_files(session, consent):
        requests.attach_file(session, consent, users["representative"], False, DEMO_CONSENT_PDF, files_folder, now,
                             purpose="consent")


# A one-page PDF standing in for a scanned, signed consent (demo data only).
DEMO_CONSENT_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>"
                    b"endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\ntrailer<</Root 1 0 R>>\n"
                    b"%%EOF\n")


def _subjects(generator: _Generator) -> list[tuple[str, str | None, datetime]]:
    """(receipt, A-number, received) of every case's applicant or beneficiary."""
    subjects = []
    for event in generator.events:
        for party in event.get("parties", ()):
            if party["role"] != "petitioner" and event["status"] == "case_received":
                subjects.append((event["receipt_number"], party.get("a_number"),
                                 datetime.fromisoformat(event["occurred_at"])))
    return subjects


def _access_codes(generator: _Generator, receipts: list[str]) -> list[tuple[str, str, str]]:
    """The applicant's or beneficiary's access code of a few demo cases (never a petitioner's)."""
    codes = []
    for event in generator.events:
        if event.get("receipt_number") in receipts and "parties" in event:
            for party in event["parties"]:
                if party["role"] != "petitioner":
                    codes.append((event["receipt_number"], party["access_code"], party["role"]))
    return codes
