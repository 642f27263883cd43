"""What makes two bank lines the same line: the rules behind "nothing twice, nothing lost"."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from arctl.domain.bank import BalanceCheck, dedupe_keys, line_identity


def identity(**overrides: object) -> str:
    fields: dict[str, object] = {
        "account": "1202021109000888888", "source": "icbc", "bank_ref": "", "booked_on": date(2026, 10, 30),
        "currency": "CNY", "amount_minor": 50000, "payer_name": "张三", "payer_account": "6217", "memo": "转账",
    }  # fmt: skip
    fields.update(overrides)
    return line_identity(**fields)  # type: ignore[arg-type]


def test_the_bank_id_wins_and_is_scoped_by_account() -> None:
    assert identity(bank_ref="FIT1") == identity(bank_ref="FIT1", amount_minor=1, memo="other")
    assert identity(bank_ref="FIT1") != identity(bank_ref="FIT1", account="OTHER")


def test_without_an_account_the_source_scopes_the_id() -> None:
    assert identity(account="", source="alipay", bank_ref="2026") != identity(
        account="", source="wechat", bank_ref="2026"
    )


def test_content_identity_ignores_spacing_but_not_content() -> None:
    assert identity(payer_name="张 三", memo=" 转账 ") == identity(payer_name="张 三", memo="转账")
    for change in ({"amount_minor": 50001}, {"booked_on": date(2026, 10, 31)}, {"payer_name": "李四"},
                   {"memo": "货款"}, {"currency": "USD"}, {"payer_account": "6218"}):  # fmt: skip
        assert identity(**change) != identity()


def test_two_identical_transfers_in_one_file_get_two_keys() -> None:
    same = identity()
    assert dedupe_keys([same, same]) == [f"{same}#1", f"{same}#2"]


identities = st.lists(st.sampled_from([identity(), identity(amount_minor=7), identity(bank_ref="R1"),
                                       identity(bank_ref="R2"), identity(memo="x")]), max_size=30)  # fmt: skip


@given(identities)
def test_keys_are_unique_within_a_file_unless_the_bank_repeats_its_own_id(lines: list[str]) -> None:
    keys = dedupe_keys(lines)
    content = [k for k, i in zip(keys, lines, strict=True) if "|ref|" not in i]
    assert len(content) == len(set(content))


@given(identities, identities)
def test_a_longer_export_keeps_the_keys_of_the_lines_it_shares(first: list[str], more: list[str]) -> None:
    """Re-downloading a statement with more days appended maps every old line to its old key."""
    assert dedupe_keys(first + more)[: len(first)] == dedupe_keys(first)


def test_balance_check_describes_the_gap() -> None:
    check = BalanceCheck("ACC", "CNY", opening_minor=100000, lines_minor=2500, closing_minor=102400)
    assert check.difference == -100
    assert "difference -1.00" in check.describe() and "opening 1,000.00" in check.describe()
