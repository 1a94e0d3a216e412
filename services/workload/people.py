"""A practice's POSC user accounts: the primary user named on POSC-DC-PE and their registration checklist, the
subordinates and billing partners they grant access to, quarterly access reviews (some skipped), staff who leave
(most followed by revocation, some not), and a primary user who leaves: POSC-DC-PM, then the replacement."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from services.app import Credledger
from services.workload import data
from services.workload.activity import Activity
from services.workload.lifecycle import Account

PRIMARY_FUNCTIONS = ("provider_data_maintenance", "letters_reports", "eligibility_verification")
PARTNER_FUNCTIONS = ("claims_batch", "claim_status_remittance")


class People(Activity):
    def open_account(self, day: date, role: str, reason: str, **extra: Any) -> Account:
        """``extra``: more fields of the command (``opened_on``: when the account was opened, if before ``day``)."""
        account = Account(self.firm.ref("account"), data.full_name(self.rng), role, extra.get("opened_on", day))
        if role == "primary":
            extra["date_of_birth"] = data.date_of_birth(self.rng)
        self.emit(
            day,
            Credledger.open_user_account,
            creates=account.ref,
            organization_id=self.org,
            person_name=account.name,
            role=role,
            reason=reason,
            **extra,
        )
        self.accounts.append(account)
        return account

    def checklist(self, day: date, account: Account, steps: list[str], then: Callable[[date], None] | None) -> None:
        if not account.active:
            return
        self.emit(day, Credledger.complete_checklist_step, account.ref, step=steps[0], on=day)
        if len(steps) > 1:
            gap = {"new_user_email_received": (0, 1), "password_changed": (0, 2)}.get(steps[1], (0, 1))
            self.at(self.later(day, *gap), self.checklist, account, steps[1:], then)
        elif then is not None:
            then(day)

    def grant(
        self, day: date, account: Account, functions: tuple[str, ...] | list[str], on: date | None = None
    ) -> None:
        """``on``: the day the grants took effect, when recorded later (a client's history, at onboarding)."""
        if account is not self.primary and not self.primary_usable(day):
            return
        for function in functions:
            if function not in account.grants and account.active:
                self.emit(day, Credledger.grant_access, account.ref, function=function, on=on or day)
                account.grants.append(function)

    def primary_usable(self, day: date) -> bool:
        p = self.primary
        return p is not None and p.active and (p.departed is None or p.departed > day)

    def primary_ready(self, day: date, since: date | None = None) -> None:
        """The primary user registered in POSC: access for itself, then staff and partners; reviews begin.
        ``since``: the day it got its access, when that is history recorded at onboarding."""
        functions = PRIMARY_FUNCTIONS + (("claim_status_remittance",) if self.rng.random() < 0.5 else ())
        self.grant(day, self.primary, functions, on=since)
        if self.staffed:
            return  # a replacement primary user: staff are there already
        self.staffed = True
        self.at(self.later(day, 0, 5), self.staff_setup)
        if self.t.reviews != "never":
            self.at(self.next_review(day + timedelta(days=20)), self.review)
        if self.t.primary_leaves:
            if self.t.leaves_near_end:  # so that the end finds the organization still without its new primary user
                low, high = {"pm_pending": (12, 30), "approved_unrecorded": (18, 30)}.get(
                    self.t.primary_leaves, (2, 20)
                )
                leaves = max(self.cal.back(self.end, self.rng.randint(low, high)), self.later(day, 10, 15))
            else:
                leaves = self.later(day, 20, 160)
            self.at(leaves, self.primary_departs)

    def staff_setup(self, day: date) -> None:
        low, high = {"solo_practitioner": (0, 1), "group": (2, 4), "facility": (2, 5)}.get(
            self.t.kind.entity_kind, (1, 3)
        )
        count = max(self.rng.randint(low, high), 2 if self.t.forgot_departure else 0)
        for i in range(count):
            self.at(self.later(day, 0, 4), self.open_subordinate, self.t.forgot_departure and i == 0)
        if self.t.partner:
            self.at(self.later(day, 0, 6), self.open_partner)

    def open_subordinate(self, day: date, forgotten: bool) -> None:
        account = self.open_account(day, "subordinate", reason="Front-desk and billing staff need POSC access")
        self.consider_backup(day, account)
        functions = ["eligibility_verification"] + [
            f
            for f, p in (
                ("claims_direct_data_entry", 0.5),
                ("claim_status_remittance", 0.5),
                ("prior_authorization", 0.3),
            )
            if self.rng.random() < p
        ]
        self.grant(day, account, functions)
        steps = ["new_user_email_received", "password_changed", "authentication_questions_answered"]
        self.at(self.later(day, 0, 1), self.checklist, account, steps, None)
        if self.rng.random() < 0.25:
            self.at(self.later(day, 20, 100), self.password_reset, account)
        if forgotten:  # leaves shortly before the end, and nobody ends the access
            account.catchable = False
            leaves = max(self.cal.back(self.end, self.rng.randint(3, 15)), self.later(day, 5, 10))
            self.at(leaves, self.departs, account)
        elif self.rng.random() < 0.2:
            self.at(self.later(day, 15, 150), self.departs, account)

    def open_partner(self, day: date) -> None:
        firm = self.rng.choice(data.BILLING_AGENCIES)
        account = self.open_account(
            day,
            "business_partner",
            reason=f"{firm} bills for the practice",
            partner_firm=firm,
            partner_function=self.rng.choice(data.PARTNER_FUNCTIONS),
        )
        functions = list(PARTNER_FUNCTIONS) + (["eligibility_verification"] if self.rng.random() < 0.6 else [])
        self.grant(day, account, functions)
        steps = ["new_user_email_received", "password_changed", "authentication_questions_answered"]
        self.at(self.later(day, 0, 2), self.checklist, account, steps, None)
        if self.rng.random() < 0.1:
            self.at(self.later(day, 40, 120), self.engagement_ends, account)

    def password_reset(self, day: date, account: Account) -> None:
        if account.active:
            self.emit(day, Credledger.reset_password, account.ref, on=day, reason="Locked out after failed log-ins")

    def departs(self, day: date, account: Account) -> None:
        if not account.active or account.departed is not None:
            return
        self.emit(day, Credledger.record_departure, account.ref, on=day, reason="Left the practice")
        account.departed = day
        self.backup_leaves(day, account)
        if not account.catchable:
            return
        roll = self.rng.random()
        if roll < 0.6:
            self.at(self.later(day, 0, 5), self.deactivate, account, self.rng.random() < 0.3)
        elif roll < 0.75:
            self.at(self.later(day, 0, 5), self.revoke_all, account)

    def deactivate(self, day: date, account: Account, revoke_first: bool, reason: str = "Departed staff") -> None:
        if not account.active:
            return
        if revoke_first:
            self.revoke_all(day, account)
        self.emit(day, Credledger.deactivate_account, account.ref, reason=reason)
        account.active = False
        account.grants = []

    def revoke_all(self, day: date, account: Account) -> None:
        if not account.active:
            return
        for function in list(account.grants):
            self.emit(
                day, Credledger.revoke_access, account.ref, function=function, reason="No longer needs this access"
            )
            account.grants.remove(function)

    def engagement_ends(self, day: date, account: Account) -> None:
        """The billing agency's contract is over: recorded, and its ID ended that day or, now and then, a few weeks
        late (the access audit's partner_engagement_ended meanwhile)."""
        if not account.active:
            return
        self.emit(day, Credledger.end_engagement, account.ref, on=day, reason="Billing engagement ended")
        account.engagement_ended = True
        ended = day if self.rng.random() < 0.7 else self.later(day, 5, 20)
        self.at(ended, self.deactivate, account, False, "Billing engagement ended")

    def next_review(self, after: date) -> date:
        quarter_end = date(after.year, ((after.month - 1) // 3 + 1) * 3, 1) + timedelta(days=31)
        quarter_end = quarter_end.replace(day=1) - timedelta(days=1)
        return self.cal.on_or_after(quarter_end + timedelta(days=self.rng.randint(0, 25)))

    def review(self, day: date) -> None:
        """The quarterly access review: the primary user confirms each account's access, or revokes it."""
        self.at(self.next_review(day + timedelta(days=30)), self.review)
        skip = {"diligent": 0.08, "sloppy": 0.45}.get(self.t.reviews, 1.0)
        if self.rng.random() < skip or not self.primary_usable(day):
            return
        self.record_logins(day)
        reviewer = f"{self.primary.name} (primary user)"
        for account in list(self.accounts):
            if not account.active or not account.grants or account.opened >= day:
                continue
            if account.role == "business_partner" and self.t.partner_overlooked:
                continue
            departed = account.departed is not None and account.departed <= day
            if departed and not account.catchable:
                continue
            outcome = "revoked" if departed else "confirmed"
            self.emit(
                day,
                Credledger.review_access,
                account.ref,
                outcome=outcome,
                on=day,
                reviewer=reviewer,
                reason="Quarterly access review" + (": the person has left" if departed else ""),
            )
            if departed:
                account.grants = []
                self.at(self.later(day, 0, 3), self.deactivate, account, False)

    # --- the primary user leaves: POSC-DC-PM --------------------------------------------------------------

    def primary_departs(self, day: date) -> None:
        p = self.primary
        if p is None or not p.active or p.departed is not None:
            return
        self.emit(day, Credledger.record_departure, p.ref, on=day, reason="The primary user left the practice")
        p.departed = day
        if self.t.primary_leaves != "no_pm":
            self.at(self.later(day, 1, 5), self.pm_open)

    def pm_open(self, day: date) -> None:
        self.pm = self.open_app(day, "primary_user_modification", "fax", reason="POSC-DC-PM for a new primary user")
        self.at(self.later(day, 0, 2), self.pm_submit)

    def pm_submit(self, day: date) -> None:
        self.submit(day, self.pm, "Faxed POSC-DC-PM")
        if self.t.primary_leaves == "pm_pending":
            return  # lost in the fax queue: still waiting at the end
        self.payer(self.pm, day, self.draw(2, 7, 0.1, 10), [], self.pm_approved)

    def pm_approved(self, day: date) -> None:
        self.approve(day, self.pm, "MassHealth confirmed the new primary user")
        if self.t.primary_leaves == "replaced":
            self.at(self.later(day, 0, 3), self.replace_primary)

    def replace_primary(self, day: date) -> None:
        old = self.primary
        new = Account(self.firm.ref("account"), data.full_name(self.rng), "primary", day)
        self.emit(
            day,
            Credledger.replace_primary_user,
            self.org,
            creates=new.ref,
            person_name=new.name,
            modification_id=self.pm.ref,
            date_of_birth=data.date_of_birth(self.rng),
            reason="New primary user per the approved POSC-DC-PM",
        )
        if old is not None:
            old.active, old.grants = False, []
        self.accounts.append(new)
        self.primary = new
        steps = [
            "registered_with_pin",
            "new_user_email_received",
            "password_changed",
            "authentication_questions_answered",
        ]
        self.at(self.later(day, 0, 3), self.checklist, new, steps, self.primary_ready)
