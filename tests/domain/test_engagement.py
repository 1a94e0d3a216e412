"""A business partner's engagement with the practice ends (a billing agency's contract is over): its IDs must end
too (MassHealth's Primary User Policy, DESIGN §1: "IDs end ... when a vendor or affiliate engagement ends"). Only a
partner's account has an engagement; it ends once; a partner whose engagement ended is granted nothing more."""

from __future__ import annotations

import pytest

from domain.errors import RuleViolation
from domain.user_account import PoscFunction, UserAccount
from tests.domain.builders import LATER, OPENED_ON, assert_refused, open_account


def test_a_partners_engagement_ends_once_and_no_access_follows() -> None:
    partner = open_account("business_partner")
    partner.grant_access(PoscFunction.CLAIMS_BATCH, granted_by=None, on=OPENED_ON, actor="u")
    partner.collect_events()
    partner.end_engagement(on=LATER, actor="u", reason="Billing contract over")
    (event,) = partner.collect_events()
    assert type(event) is UserAccount.EngagementEnded and (event.on, event.reason) == (LATER, "Billing contract over")
    assert partner.engagement_ended_on == LATER
    assert partner.grants  # its access is not ended by this: the audit reports it until it is
    assert_refused(partner, lambda: partner.end_engagement(on=LATER, actor="u"), "engagement-ended")
    assert_refused(
        partner,
        lambda: partner.grant_access(PoscFunction.CLAIM_STATUS_REMITTANCE, granted_by=None, on=LATER, actor="u"),
        "engagement-ended",
    )


@pytest.mark.parametrize("role", ["primary", "subordinate"])
def test_only_a_partners_account_has_an_engagement(role: str) -> None:
    account = open_account(role)
    with pytest.raises(RuleViolation) as refused:
        account.end_engagement(on=LATER, actor="u")
    assert refused.value.rule == "engagement-only-for-partners"
