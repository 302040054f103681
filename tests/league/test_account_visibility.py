"""Which of a member's linked game accounts a viewer sees, by their view of the member."""

from __future__ import annotations

from sprocket.league.access import IdentityView
from sprocket.league.accounts import visible_accounts
from sprocket.league.enums import AccountStatus, GamePlatform
from sprocket.league.models import PlatformAccount


def _account(n: int, status: AccountStatus) -> PlatformAccount:
    return PlatformAccount(
        id=n, member_id=1, platform=GamePlatform.STEAM, account_id=str(n), status=status
    )


ACCOUNTS = [
    _account(1, AccountStatus.VERIFIED),
    _account(2, AccountStatus.PENDING),
    _account(3, AccountStatus.VERIFIED),
]


def test_the_full_view_sees_every_link_pending_ones_too() -> None:
    assert visible_accounts(accounts=ACCOUNTS, view=IdentityView.FULL) == ACCOUNTS


def test_the_public_view_sees_only_verified_links_in_order() -> None:
    shown = visible_accounts(accounts=ACCOUNTS, view=IdentityView.PUBLIC)
    assert shown == [ACCOUNTS[0], ACCOUNTS[2]]


def test_no_view_sees_nothing_not_even_how_many() -> None:
    assert visible_accounts(accounts=ACCOUNTS, view=IdentityView.NONE) is None
    assert visible_accounts(accounts=[], view=IdentityView.NONE) is None
    assert visible_accounts(accounts=[], view=IdentityView.PUBLIC) == []
