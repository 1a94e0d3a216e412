"""A practice's back-up primary user and its people's POSC logins: most practices name a staff member back-up soon
after staffing (and another when that one leaves, now and then late or never); at each access review the primary user
reads POSC's user report and the specialist records each active ID's last login, except for the odd ID nobody uses.
Drawn from a random stream of their own, so the rest of the practice's life is drawn as before."""

from __future__ import annotations

from datetime import date, timedelta

from services.app import Credledger
from services.workload.lifecycle import Account, Lifecycle

NAMES_BACKUP = 0.7  # of practices with staff: name a back-up primary user
RENAMES_BACKUP = 0.6  # when the back-up leaves: name another
DORMANT = 0.08  # of IDs: opened, then never used


class Activity(Lifecycle):
    def consider_backup(self, day: date, account: Account) -> None:
        """A new staff member: the practice's back-up primary user, if it names one and has none yet."""
        account.dormant = self.activity_rng.random() < DORMANT
        if any(a.backup for a in self.accounts) or self.activity_rng.random() >= NAMES_BACKUP:
            return
        account.backup = True  # spoken for now, named once registered in POSC
        self.at(self.cal.add(day, self.activity_rng.randint(3, 15)), self.name_backup, account)

    def name_backup(self, day: date, account: Account) -> None:
        if not account.active or (account.departed is not None and account.departed <= day):
            account.backup = False
            return
        self.emit(
            day, Credledger.name_backup_primary_user, account.ref, reason="Back-up primary user per MassHealth policy"
        )
        account.backup_named = True

    def backup_leaves(self, day: date, account: Account) -> None:
        """The back-up left: the naming ends, and another staff member is named, now and then."""
        if not account.backup:
            return
        if account.backup_named:
            self.emit(day, Credledger.end_backup_primary_user, account.ref, reason="The back-up left the practice")
        account.backup = account.backup_named = False
        staff = [
            a for a in self.accounts if a.role == "subordinate" and a.active and a.departed is None and a is not account
        ]
        if staff and self.activity_rng.random() < RENAMES_BACKUP:
            successor = self.activity_rng.choice(staff)
            successor.backup = True
            self.at(self.cal.add(day, self.activity_rng.randint(1, 20)), self.name_backup, successor)

    def record_logins(self, day: date) -> None:
        """POSC's user report at the access review: each active ID's last login, a few days to weeks back (never
        before the week its registration steps were done)."""
        for account in self.accounts:
            settled = account.opened + timedelta(days=10)
            # A partner's engagement end changes the whole account: no login is recorded before it, nor after.
            gone = account.departed is not None or account.engagement_ended
            if not account.active or gone or account.dormant or settled > day:
                continue
            last = max(day - timedelta(days=self.activity_rng.randint(0, 30)), settled, account.last_login or settled)
            if last == account.last_login:
                continue
            account.last_login = last
            self.emit(day, Credledger.record_login, account.ref, on=last, reason="POSC user report at the review")
