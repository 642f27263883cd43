"""arctl.domain.terms: payment terms and installment plans, due dates, describe() round trips."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arctl.domain.errors import InvalidInput
from arctl.domain.terms import DueKind, DueRule, InstallmentKind, parse_terms

AFTER, EOM, FIXED, EVENT = DueKind.AFTER_ISSUE, DueKind.EOM, DueKind.FIXED, DueKind.EVENT
K = InstallmentKind


def single(text: str) -> DueRule:
    terms = parse_terms(text)
    assert len(terms.parts) == 1
    assert terms.parts[0].percent == 100
    return terms.parts[0].rule


# --- single-part terms -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("net30", DueRule(AFTER, 30)),
        ("net 30", DueRule(AFTER, 30)),
        ("NET30", DueRule(AFTER, 30)),
        ("n30", DueRule(AFTER, 30)),
        ("30 days", DueRule(AFTER, 30)),
        ("30d", DueRule(AFTER, 30)),
        ("30 天", DueRule(AFTER, 30)),
        ("net0", DueRule(AFTER, 0)),
        ("issue+45d", DueRule(AFTER, 45)),
        ("eom", DueRule(EOM, 0)),
        ("EOM", DueRule(EOM, 0)),
        ("eom+30", DueRule(EOM, 30)),
        ("eom + 30d", DueRule(EOM, 30)),
        ("due on receipt", DueRule(AFTER, 0)),
        ("on receipt", DueRule(AFTER, 0)),
        ("cod", DueRule(AFTER, 0)),
        ("现结", DueRule(AFTER, 0)),
        ("on issue", DueRule(AFTER, 0)),
        ("on 2026-03-31", DueRule(FIXED, fixed=date(2026, 3, 31))),
        ("2026-03-31", DueRule(FIXED, fixed=date(2026, 3, 31))),
        ("on 2026年3月31日", DueRule(FIXED, fixed=date(2026, 3, 31))),
        ("acceptance+90d", DueRule(EVENT, 90, event="acceptance")),
        ("验收+90天", DueRule(EVENT, 90, event="acceptance")),
        ("到货+30天", DueRule(EVENT, 30, event="delivery")),
        ("go-live+10d", DueRule(EVENT, 10, event="go-live")),
        ("100% net60", DueRule(AFTER, 60)),
    ],
)
def test_single_part_terms(text: str, rule: DueRule):
    assert single(text) == rule
    terms = parse_terms(text)
    assert terms.discount_percent is None and terms.discount_days is None
    assert terms.parts[0].kind == K.REGULAR


def test_whitespace_is_normalised_in_the_kept_text():
    assert parse_terms("  net   30 ").text == "net 30"


def test_early_payment_discount():
    terms = parse_terms("2/10 net 30")
    assert terms.discount_percent == Decimal(2)
    assert terms.discount_days == 10
    assert terms.parts[0].rule == DueRule(AFTER, 30)
    fractional = parse_terms("1.5/15 eom")
    assert (fractional.discount_percent, fractional.discount_days) == (Decimal("1.5"), 15)
    assert fractional.parts[0].rule == DueRule(EOM, 0)


@pytest.mark.parametrize("text", ["0/10 net 30", "100/10 net 30", "150/10 net 30"])
def test_discount_must_be_between_0_and_100(text: str):
    with pytest.raises(InvalidInput, match="discount") as info:
        parse_terms(text)
    assert info.value.field == "terms"


# --- plans -----------------------------------------------------------------------------------------


def test_plan_with_inferred_kinds_and_retention_after_last_event():
    terms = parse_terms("30% on signing, 40% delivery+30d, 25% acceptance+90d, 5% retention+365d")
    assert [p.percent for p in terms.parts] == [30, 40, 25, 5]
    assert [p.kind for p in terms.parts] == [K.DEPOSIT, K.PROGRESS, K.FINAL, K.RETENTION]
    assert [p.rule for p in terms.parts] == [
        DueRule(AFTER, 0),
        DueRule(EVENT, 30, event="delivery"),
        DueRule(EVENT, 90, event="acceptance"),
        DueRule(EVENT, 365, event="acceptance"),  # anchored on the previous milestone event
    ]
    assert terms.events == ("delivery", "acceptance")
    assert terms.discount_percent is None


def test_retention_without_an_earlier_event_runs_from_issue():
    terms = parse_terms("90% net30, 10% retention+365d")
    assert [p.kind for p in terms.parts] == [K.FINAL, K.RETENTION]
    assert terms.parts[1].rule == DueRule(AFTER, 365)
    assert terms.events == ()


def test_retention_anchors_on_the_nearest_previous_event():
    terms = parse_terms("50% delivery+10d, 45% acceptance+30d, 5% retention+180days")
    assert terms.parts[2].rule == DueRule(EVENT, 180, event="acceptance")
    spaced = parse_terms("50% delivery+10d, 45% acceptance+30d, 5% 质保金 retention + 180 天")
    assert spaced.parts[2].rule == DueRule(EVENT, 180, event="acceptance")
    earlier = parse_terms("50% delivery+10d, 5% retention+180d, 45% acceptance+30d")
    assert earlier.parts[1].rule == DueRule(EVENT, 180, event="delivery")
    assert [p.kind for p in earlier.parts] == [K.PROGRESS, K.RETENTION, K.FINAL]


def test_chinese_plan_with_explicit_kinds_and_events():
    terms = parse_terms("30% 预付款 签约，60% 尾款 验收+30天，10% 质保金 retention+365d")
    assert [p.kind for p in terms.parts] == [K.DEPOSIT, K.FINAL, K.RETENTION]
    assert [p.rule for p in terms.parts] == [
        DueRule(AFTER, 0),
        DueRule(EVENT, 30, event="acceptance"),
        DueRule(EVENT, 365, event="acceptance"),
    ]


def test_chinese_events_map_to_english_keys():
    terms = parse_terms("30% 预付款 on signing; 60% 到货+30天; 10% 质保金 验收+365天")
    assert [p.rule.event for p in terms.parts] == [None, "delivery", "acceptance"]
    assert [p.kind for p in terms.parts] == [K.DEPOSIT, K.FINAL, K.RETENTION]
    assert terms.events == ("delivery", "acceptance")


def test_explicit_kind_overrides_inference():
    terms = parse_terms("50% progress on signing, 50% deposit net30")
    assert [p.kind for p in terms.parts] == [K.PROGRESS, K.DEPOSIT]


def test_first_part_not_upfront_is_progress_not_deposit():
    terms = parse_terms("50% net30, 30% net60, 20% net90")
    assert [p.kind for p in terms.parts] == [K.PROGRESS, K.PROGRESS, K.FINAL]


def test_decimal_percentages_that_add_up():
    terms = parse_terms("33.33% on signing, 33.33% net30, 33.34% net60")
    assert sum(p.percent for p in terms.parts) == 100


# --- bad terms -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "net",
        "eom+",
        "net-30",
        "net thirty",
        "net 30 days",
        "xx%",
        "30%%",
        "!!!",
        "@#$ 42",
        "on someday",
        "on 2026-02-30",
        "2026-13-01",
        "2/10",
        "50% net30",
        "30% on signing, 60% net30",
        "60% net30, 60% net60",
        "30% on signing, 40% net30, 40% net60",
        "net30, net60",
        "30% on signing, net30",
        "30% on signing, 70% ???",
        "90% net30, 10% retention+1y",
        "deposit",
        "50% on signing, 50% final",
    ],
)
def test_bad_terms_raise_with_field_terms(text: str):
    with pytest.raises(InvalidInput) as info:
        parse_terms(text)
    assert info.value.field == "terms"
    assert info.value.message.startswith("terms: ")


def test_bad_terms_name_the_offending_part():
    with pytest.raises(InvalidInput, match=r"part 2 \('net30'\)"):
        parse_terms("30% on signing, net30")
    with pytest.raises(InvalidInput, match="add up to 90%"):
        parse_terms("30% on signing, 60% net30")


def test_the_field_name_can_be_overridden():
    with pytest.raises(InvalidInput) as info:
        parse_terms("xx%", field="--terms")
    assert info.value.field == "--terms"


@pytest.mark.parametrize("text", ["0% on signing, 100% net30", "100% net30, 0% retention+365d"])
def test_zero_percent_part_is_refused(text: str):
    with pytest.raises(InvalidInput) as info:
        parse_terms(text)
    assert info.value.field == "terms"


@pytest.mark.parametrize("text", ["garbage", "banana", "nett", "tbd", "90% net30, 10% retention soon"])
def test_bare_unknown_word_is_not_silently_a_milestone(text: str):
    # 'banana' parses as DueRule(EVENT, 0, event='banana'): every invoice on these terms stays
    # "pending banana" forever and never shows as overdue in aging.
    with pytest.raises(InvalidInput):
        parse_terms(text)


@pytest.mark.parametrize("piece", ["retention + 180 days", "retention +180d"])
def test_retention_with_spaces(piece: str):
    terms = parse_terms(f"50% delivery+10d, 45% acceptance+30d, 5% {piece}")
    assert terms.parts[2].rule == DueRule(EVENT, 180, event="acceptance")
    assert terms.parts[2].kind == K.RETENTION


@pytest.mark.parametrize(
    "text",
    [
        "net99999999",
        "net3661",
        "eom+3661",
        "acceptance+3661d",
        "99999999 days",
        "90% net30, 10% retention+3661d",
        "50% on signing, 50% delivery+99999999d",
    ],
)
def test_absurd_day_counts_are_refused_as_input(text: str):
    # (was a bug: 'net99999999' parsed, then due_date raised OverflowError)
    with pytest.raises(InvalidInput, match="days is more than 3660") as info:
        parse_terms(text)
    assert info.value.field == "terms"


def test_ten_years_is_the_longest_term():
    assert single("net3660").due_date(date(2026, 1, 1), {}) == date(2036, 1, 9)
    assert parse_terms("90% net30, 10% retention+3660d").parts[1].rule == DueRule(AFTER, 3660)


# --- due dates -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "issued", "due"),
    [
        ("net30", date(2026, 1, 30), date(2026, 3, 1)),
        ("net30", date(2028, 1, 30), date(2028, 2, 29)),  # leap year
        ("net0", date(2026, 5, 5), date(2026, 5, 5)),
        ("due on receipt", date(2026, 5, 5), date(2026, 5, 5)),
        ("eom", date(2026, 2, 10), date(2026, 2, 28)),
        ("eom", date(2028, 2, 10), date(2028, 2, 29)),
        ("eom", date(2026, 12, 31), date(2026, 12, 31)),
        ("eom+30", date(2026, 1, 15), date(2026, 3, 2)),
        ("eom+30", date(2028, 1, 15), date(2028, 3, 1)),
        ("eom+30", date(2026, 2, 1), date(2026, 3, 30)),
        ("eom+30", date(2028, 2, 1), date(2028, 3, 30)),
        ("eom+1", date(2026, 12, 5), date(2027, 1, 1)),
        ("on 2026-03-31", date(2026, 1, 1), date(2026, 3, 31)),
        ("on 2026-03-31", date(2026, 4, 15), date(2026, 3, 31)),  # a fixed date is a fixed date
    ],
)
def test_due_date(text: str, issued: date, due: date):
    assert single(text).due_date(issued, {}) == due


def test_event_rules_are_pending_until_the_event():
    terms = parse_terms("30% on signing, 40% delivery+30d, 25% acceptance+90d, 5% retention+365d")
    issued = date(2026, 1, 10)
    assert [p.rule.due_date(issued, {}) for p in terms.parts] == [issued, None, None, None]
    events = {"delivery": date(2026, 2, 1)}
    assert [p.rule.due_date(issued, events) for p in terms.parts] == [issued, date(2026, 3, 3), None, None]
    events["acceptance"] = date(2026, 3, 1)
    assert [p.rule.due_date(issued, events) for p in terms.parts] == [
        issued, date(2026, 3, 3), date(2026, 5, 30), date(2027, 3, 1),
    ]  # fmt: skip


dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31))


@settings(max_examples=200, deadline=None)
@given(issued=dates, days=st.integers(min_value=0, max_value=400))
def test_eom_due_date_property(issued: date, days: int):
    due = single(f"eom+{days}" if days else "eom").due_date(issued, {})
    month_end = due - timedelta(days=days)
    assert (month_end.year, month_end.month) == (issued.year, issued.month)
    assert (month_end + timedelta(days=1)).day == 1
    assert month_end >= issued


@settings(max_examples=200, deadline=None)
@given(issued=dates, days=st.integers(min_value=0, max_value=3650))
def test_net_due_date_property(issued: date, days: int):
    for text in (f"net{days}", f"net {days}", f"n{days}", f"{days} days"):
        assert single(text).due_date(issued, {}) == issued + timedelta(days=days)


# --- describe() round trip -------------------------------------------------------------------------

KNOWN_EVENTS = ("delivery", "acceptance", "go-live", "shipment", "installation", "commissioning", "sign_off")
_RESERVED = {"net", "eom", "on", "issue", "deposit", "progress", "final", "retention", "regular"}

rules = st.one_of(
    st.builds(DueRule, st.just(AFTER), st.integers(min_value=0, max_value=3650)),
    st.builds(DueRule, st.just(EOM), st.integers(min_value=0, max_value=3650)),
    st.builds(lambda d: DueRule(FIXED, fixed=d), dates),
    st.builds(lambda e, n: DueRule(EVENT, n, event=e), st.sampled_from(KNOWN_EVENTS),
              st.integers(min_value=0, max_value=3650)),
    st.builds(lambda e, n: DueRule(EVENT, n, event=e),
              st.from_regex(r"\A[a-z][a-z_-]{0,12}\Z").filter(lambda w: w not in _RESERVED),
              st.integers(min_value=0, max_value=3650)),
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(rules)
def test_describe_round_trips(rule: DueRule):
    assert single(rule.describe()) == rule


@pytest.mark.parametrize(
    ("rule", "text"),
    [
        (DueRule(AFTER, 0), "on issue"),
        (DueRule(AFTER, 30), "net30"),
        (DueRule(EOM, 0), "eom"),
        (DueRule(EOM, 30), "eom+30"),
        (DueRule(FIXED, fixed=date(2026, 3, 31)), "on 2026-03-31"),
        (DueRule(EVENT, 90, event="acceptance"), "acceptance+90d"),
    ],
)
def test_describe_vectors(rule: DueRule, text: str):
    assert rule.describe() == text


@pytest.mark.parametrize("text", ["net30", "net 30", "n30", "30 days", "eom", "eom+30", "due on receipt",
                                  "on 2026-03-31", "验收+90天", "acceptance+90d", "go-live"])  # fmt: skip
def test_parse_describe_parse_is_stable(text: str):
    rule = single(text)
    assert single(rule.describe()) == rule


def test_bare_issue_means_on_issue_and_round_trips():
    # (was a bug: 'issue' parsed as a milestone event named "issue", while 'issue+0d' meant on issue)
    rule = single("issue")
    assert rule == DueRule(AFTER, 0)
    assert single(rule.describe()) == rule
