"""arctl.reminders: the dunning policy (defaults, user TOML, validation), ladder choice, due steps, grouping."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arctl.domain.errors import InvalidInput
from arctl.reminders.ladder import Due, ItemState, Skipped, due_steps, group_messages, reached
from arctl.reminders.load import default_policy, load_policy
from arctl.reminders.policy import CHANNELS, Fee, Ladder, Policy, Rule, Step, ladder_for

DUE = date(2026, 10, 1)
POLICY = default_policy()
STANDARD = POLICY.ladders["standard"]
OFFSETS = {s.key: s.offset_days for s in STANDARD.steps}


def item(n: int = 1, customer: int = 1, due_on: date = DUE, **kw: object) -> ItemState:
    values: dict[str, object] = {"open_minor": 100_000, "currency": "CNY"} | kw
    return ItemState(n, customer, due_on, **values)  # type: ignore[arg-type]


def day(key: str, due_on: date = DUE) -> date:
    return due_on + timedelta(days=OFFSETS[key])


def keys(results: list[Due | Skipped]) -> list[str]:
    return [r.step.key for r in results if isinstance(r, Due)]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    return path


# --- the shipped policy ----------------------------------------------------------------------------


def test_defaults_load_and_follow_the_issue_ladder():
    assert set(POLICY.ladders) == {"standard", "gentle", "strict"}
    assert POLICY.default == "standard"
    assert [(s.offset_days, s.channel) for s in STANDARD.steps] == [
        (-7, "email"), (-3, "phone"), (1, "email"), (7, "phone"), (15, "email"),
        (30, "visit"), (45, "letter"), (60, "lawyer"), (90, "legal"),
    ]  # fmt: skip
    fee_step = next(s for s in STANDARD.steps if s.offset_days == 15)
    assert fee_step.fee == Fee(fixed_minor=5000, currency="CNY")
    assert "律师函" in next(s.title for s in STANDARD.steps if s.channel == "lawyer")
    assert load_policy(None) is POLICY
    for ladder in POLICY.ladders.values():  # every ladder's keys are known to the standard one
        assert {s.key for s in ladder.steps} <= set(OFFSETS)


def test_policy_objects_are_read_only():
    with pytest.raises(TypeError):
        POLICY.ladders["x"] = STANDARD  # type: ignore[index]


def test_ladder_for_grade_tag_and_exclusion():
    assert ladder_for(POLICY, "A", [], "C1").name == "gentle"
    assert ladder_for(POLICY, " a ", [], "C1").name == "gentle"
    assert ladder_for(POLICY, "B", ["Key-Account"], "C1").name == "gentle"
    assert ladder_for(POLICY, "D", [], "C1").name == "strict"
    assert ladder_for(POLICY, "B", [], "C1").name == "standard"
    assert ladder_for(POLICY, None, ["retail"], "C1").name == "standard"
    assert ladder_for(POLICY, "A", ["no-dunning"], "C1") is None
    policy = Policy(
        POLICY.ladders, "standard",
        rules=(Rule("strict", grades=frozenset({"C"}), tags=frozenset({"export"})),),
        exclude_codes=frozenset({"GOV-1"}),
    )  # fmt: skip
    assert ladder_for(policy, "C", ["export"], "x").name == "strict"  # both conditions hold
    assert ladder_for(policy, "C", [], "x").name == "standard"  # only one does
    assert ladder_for(policy, "A", [], "gov-1") is None  # codes compare case-insensitively


# --- user files ------------------------------------------------------------------------------------


def test_user_file_replaces_a_ladder_and_keeps_the_rest(tmp_path: Path):
    path = write(
        tmp_path,
        """
fee_currency = "USD"
[[rules]]
tags = ["vip"]
ladder = "standard"

[ladders.standard]
description = "ours"
[[ladders.standard.steps]]
key = "overdue"
offset_days = 5
channel = "email"
template = "overdue"
[[ladders.standard.steps]]
key = "demand"
offset_days = 20
channel = "letter"
template = "demand"
fee = 25
fee_percent = "1.5"
""",
    )
    policy = load_policy(path)
    assert policy.sources[-1] == str(path)
    assert [s.key for s in policy.ladders["standard"].steps] == ["overdue", "demand"]
    assert policy.ladders["standard"].steps[1].fee == Fee(2500, "USD", 150)
    assert policy.ladders["gentle"] == POLICY.ladders["gentle"]  # untouched
    assert policy.rules == (Rule("standard", tags=frozenset({"vip"})),)  # rules replaced wholesale
    assert ladder_for(policy, "A", [], "C1").name == "standard"
    assert policy.exclude_tags == POLICY.exclude_tags


def test_user_file_can_start_from_nothing(tmp_path: Path):
    path = write(
        tmp_path,
        """
inherit_defaults = false
default = "only"
[[ladders.only.steps]]
key = "overdue"
offset_days = 1
channel = "email"
template = "overdue"
""",
    )
    policy = load_policy(path)
    assert list(policy.ladders) == ["only"] and policy.rules == ()


def test_fee_amounts():
    fee = Fee(fixed_minor=5000, currency="CNY", percent_bp=150)
    assert fee.amount(100_000, "CNY") == 5000 + 1500
    assert fee.amount(100_033, "USD") == 1500  # 1500.495 → 1500; fixed fee only in its own currency
    assert Fee(percent_bp=150).amount(100_034, "CNY") == 1501  # 1500.51 rounds up


STEP = '[[ladders.standard.steps]]\nkey = "overdue"\noffset_days = 1\nchannel = "email"\ntemplate = "overdue"\n'


@pytest.mark.parametrize(
    ("text", "line", "field", "reason"),
    [
        ("default = \n", 1, None, "not valid TOML"),
        ('defualt = "standard"\n', 1, "defualt", "did you mean 'default'"),
        ('default = "nope"\n', 1, "default", "no ladder named 'nope'"),
        ("\n" + STEP + "chanel = 'email'\n", 7, "ladders.standard.steps[1].chanel", "did you mean 'channel'"),
        (STEP + STEP.replace("= 1\n", "= -3\n").replace('"overdue"', '"call"'), 8,
         "ladders.standard.steps[2].offset_days", "offsets must increase"),
        (STEP.replace('"email"', '"fax"'), 4, "ladders.standard.steps[1].channel", "'fax' is not a channel"),
        (STEP.replace('template = "overdue"', 'template = ""'), 5, "ladders.standard.steps[1].template",
         "must not be empty"),
        (STEP.replace('template = "overdue"', 'template = "../etc/x"'), 5, "ladders.standard.steps[1].template",
         "template name"),
        (STEP + "fee = -5\n", 6, "ladders.standard.steps[1].fee", "must not be negative"),
        (STEP + 'fee = "-5.00"\n', 6, "ladders.standard.steps[1].fee", "must not be negative"),
        (STEP + 'fee = "5.001"\n', 6, "ladders.standard.steps[1].fee", "more than 2 decimal"),
        (STEP + 'fee = "NaN"\n', 6, "ladders.standard.steps[1].fee", "not an amount"),
        (STEP + "fee = 5.5\n", 6, "ladders.standard.steps[1].fee", "never floats"),
        (STEP + 'fee_percent = "101"\n', 6, "ladders.standard.steps[1].fee_percent", "0 to 100"),
        (STEP + 'fee_percent = "-1"\n', 6, "ladders.standard.steps[1].fee_percent", "must not be negative"),
        (STEP + STEP, 7, "ladders.standard.steps[2].key", "appears twice"),
        (STEP.replace('offset_days = 1\n', ''), 1, "ladders.standard.steps[1].offset_days", "needs offset_days"),
        (STEP.replace("= 1\n", '= "1"\n'), 3, "ladders.standard.steps[1].offset_days", "whole number"),
        ("[ladders.standard]\nsteps = []\n", 2, "ladders.standard.steps", "at least one step"),
        ("[[rules]]\ngrades = ['A']\nladder = 'gentel'\n", 3, "rules[1].ladder", "no ladder named 'gentel'"),
        ("[[rules]]\nladder = 'gentle'\n", 1, "rules[1].grades", "needs grades, tags or both"),
        ("[[rules]]\ngrades = 'A'\nladder = 'gentle'\n[[rules]]\ngrade = 'B'\n", 5, "rules[2].grade",
         "did you mean 'grades'"),
        ("[exclude]\ncodes = [1]\n", 2, "exclude.codes", "list of non-empty strings"),
        ('fee_currency = "XYZ"\n', 1, "fee_currency", "unknown currency"),
        ('inherit_defaults = "no"\n', 1, "inherit_defaults", "true or false"),
    ],
)  # fmt: skip
def test_bad_user_files_name_file_line_and_key(
    tmp_path: Path, text: str, line: int, field: str | None, reason: str
):
    path = write(tmp_path, text)
    with pytest.raises(InvalidInput) as caught:
        load_policy(path)
    err = caught.value
    assert err.file == str(path)
    assert err.row == line, err.message
    assert err.field == field, err.message
    assert reason in err.reason, err.message
    assert err.message.startswith(f"{path}:{line}")


def test_unreadable_and_non_utf8_files(tmp_path: Path):
    with pytest.raises(InvalidInput, match="cannot read the policy"):
        load_policy(tmp_path / "missing.toml")
    path = tmp_path / "gbk.toml"
    path.write_bytes('default = "standard"\n# 催款\n'.encode("gbk"))
    with pytest.raises(InvalidInput, match="UTF-8") as caught:
        load_policy(path)
    assert caught.value.row == 2


def test_objects_built_in_code_are_checked_too():
    step = Step("overdue", 1, "email", "overdue")
    with pytest.raises(InvalidInput, match="offsets must increase") as caught:
        Ladder("x", (step, Step("call", 1, "phone", "call")))
    assert caught.value.field == "steps[2].offset_days"
    with pytest.raises(InvalidInput, match="not a channel"):
        Step("x", 1, "sms", "x")
    with pytest.raises(InvalidInput, match="not negative"):
        Step("x", 1, "email", "x", fee=Fee(fixed_minor=-1))
    with pytest.raises(InvalidInput, match="no ladder named"):
        Policy({"x": Ladder("x", (step,))}, "y")


# --- due steps -------------------------------------------------------------------------------------


def test_first_step_exactly_on_its_day_and_not_before():
    assert due_steps([item()], STANDARD, day("friendly") - timedelta(days=1)) == []
    [due] = due_steps([item()], STANDARD, day("friendly"))
    assert isinstance(due, Due)
    assert (due.step.key, due.days_late, due.passed, due.escalated) == ("friendly", -7, (), False)


def test_second_run_on_the_same_day_does_nothing():
    as_of = day("overdue")
    first = due_steps([item(done_steps=frozenset({"friendly", "pre-call"}))], STANDARD, as_of)
    assert keys(first) == ["overdue"]
    recorded = item(done_steps=frozenset({"friendly", "pre-call", "overdue"}), last_step_on=as_of)
    assert due_steps([recorded], STANDARD, as_of) == []
    assert due_steps([recorded], STANDARD, as_of + timedelta(days=5)) == []  # nothing new reached


def test_catch_up_after_ten_missed_days_sends_one_step():
    state = item(done_steps=frozenset({"friendly", "pre-call", "overdue"}), last_step_on=day("overdue"))
    as_of = day("overdue") + timedelta(days=16)  # T+17: "call" (T+7) and "fee-notice" (T+15) both reached
    [due] = due_steps([state], STANDARD, as_of)
    assert isinstance(due, Due)
    assert due.step.key == "fee-notice" and due.passed == ("call",)
    assert due.fee_minor == 5000  # the fee goes with the message that announces it
    never_reminded = due_steps([item()], STANDARD, DUE + timedelta(days=100))
    assert keys(never_reminded) == ["legal"]
    assert never_reminded[0].passed == tuple(OFFSETS)[:-1]  # type: ignore[union-attr]


def test_steps_below_a_done_step_never_come_back():
    # done "visit" (e.g. on another ladder, or recorded by hand): the lower steps are never sent
    state = item(done_steps=frozenset({"visit"}))
    assert due_steps([state], STANDARD, day("call")) == []
    assert keys(due_steps([state], STANDARD, day("demand"))) == ["demand"]
    assert due_steps([item(done_steps=frozenset({"unknown"}))], STANDARD, day("friendly"))  # foreign keys ignored


def test_held_items_are_skipped_with_reasons():
    as_of = day("call")
    items = [
        item(1, open_minor=0),
        item(2, disputed=True),
        item(3, on_hold=True),
        item(4, promised_until=as_of),
        item(5, promised_until=as_of - timedelta(days=1)),  # promise date passed: no longer held
        item(6, due_on=as_of + timedelta(days=30)),  # held or not, nothing due: nothing said
    ]
    results = due_steps(items, STANDARD, as_of)
    assert results[:4] == [
        Skipped(1, 1, "paid", "call"),
        Skipped(2, 1, "disputed", "call"),
        Skipped(3, 1, "on hold", "call"),
        Skipped(4, 1, f"promised until {as_of.isoformat()}", "call"),
    ]
    assert keys(results[4:]) == ["call"] and len(results) == 5
    assert due_steps([item(1), item(2, open_minor=0)], None, as_of) == [
        Skipped(1, 1, "excluded"), Skipped(2, 1, "excluded"),
    ]  # fmt: skip


def test_broken_promise_escalates_once():
    promised = day("call") + timedelta(days=2)  # T+9: promise made after the call, broken the next day
    state = item(done_steps=frozenset({"friendly", "pre-call", "overdue", "call"}), last_step_on=day("call"),
                 promised_until=promised, promise_broken_on=promised + timedelta(days=1))  # fmt: skip
    assert due_steps([state], STANDARD, promised) == []  # not broken yet, and the next offset is days away
    broken = promised + timedelta(days=1)  # T+10, before the T+15 fee notice
    [due] = due_steps([state], STANDARD, broken)
    assert isinstance(due, Due) and due.step.key == "fee-notice" and due.escalated
    after = replace(state, done_steps=state.done_steps | {"fee-notice"}, last_step_on=broken)
    assert due_steps([after], STANDARD, broken + timedelta(days=1)) == []  # back to the offsets
    assert keys(due_steps([after], STANDARD, day("visit"))) == ["visit"]
    # a broken promise when the ladder has already moved past the next step: the reached step, not escalated
    late = replace(state, promise_broken_on=day("visit"))
    [due] = due_steps([late], STANDARD, day("visit"))
    assert isinstance(due, Due) and due.step.key == "visit" and not due.escalated


def test_one_message_per_customer_and_channel_with_the_most_severe_template():
    as_of = DUE + timedelta(days=20)
    items = [
        item(11, customer=2, due_on=as_of - timedelta(days=2)),  # T+2: overdue (email)
        item(12, customer=2, due_on=as_of - timedelta(days=16), currency="USD", open_minor=700),  # fee-notice
        item(13, customer=2, due_on=as_of - timedelta(days=8)),  # T+8: call (phone)
        item(14, customer=2, due_on=as_of + timedelta(days=7)),  # T-7: friendly (email)
        item(15, customer=1, due_on=as_of - timedelta(days=31), disputed=True),
        item(16, customer=1, due_on=as_of - timedelta(days=1)),  # T+1: overdue
    ]
    results = due_steps(items, STANDARD, as_of)
    messages = group_messages(list(reversed(results)))
    assert [(m.customer_id, m.channel, m.template) for m in messages] == [
        (1, "email", "overdue"), (2, "email", "fee-notice"), (2, "phone", "call"),
    ]  # fmt: skip
    email = messages[1]
    assert [(d.installment_id, d.step.key) for d in email.items] == [
        (12, "fee-notice"), (11, "overdue"), (14, "friendly"),
    ]  # fmt: skip
    assert email.totals == (("CNY", 200_000), ("USD", 700))
    assert email.fees == ()  # the CNY 50 fee is fixed in CNY; the USD item pays none
    assert group_messages(results) == messages  # order of the input does not matter


# --- the property: daily runs, skipped days, steps fed back ---------------------------------------------

LADDERS = list(POLICY.ladders.values())


@st.composite
def schedules(draw: st.DrawFn):
    ladder = draw(st.sampled_from(LADDERS))
    due_on = DUE + timedelta(days=draw(st.integers(-30, 30)))
    start = DUE - timedelta(days=draw(st.integers(0, 20)))
    gaps = draw(st.lists(st.integers(0, 25), min_size=1, max_size=25))
    holds = draw(st.lists(st.sampled_from(["", "", "", "disputed", "on_hold", "promise"]), min_size=len(gaps),
                          max_size=len(gaps)))  # fmt: skip
    broken = draw(st.none() | st.integers(-10, 150).map(lambda d: DUE + timedelta(days=d)))
    return ladder, due_on, start, gaps, holds, broken


@settings(max_examples=300, deadline=None)
@given(schedules())
def test_each_step_at_most_once_never_lower_and_always_the_highest_reached(schedule):
    ladder, due_on, as_of, gaps, holds, broken = schedule
    position = {s.key: i for i, s in enumerate(ladder.steps)}
    state = item(due_on=due_on, promise_broken_on=broken)
    emitted: list[str] = []
    escalations = 0
    for gap, hold in zip(gaps, holds, strict=True):
        as_of += timedelta(days=gap)
        run = replace(
            state,
            disputed=hold == "disputed",
            on_hold=hold == "on_hold",
            promised_until=as_of if hold == "promise" else None,
        )
        results = due_steps([run], ladder, as_of)
        assert len(results) <= 1
        if not results or isinstance(results[0], Skipped):
            continue
        due = results[0]
        done = ladder.level(state.done_steps)
        assert due.step.key not in emitted  # each (installment, step) once
        assert position[due.step.key] > done  # never at or below a step already done
        if due.escalated:
            escalations += 1
            assert position[due.step.key] == done + 1 > reached(ladder, due_on, as_of)
        else:
            assert position[due.step.key] == reached(ladder, due_on, as_of)  # the highest reached
        emitted.append(due.step.key)
        state = replace(state, done_steps=state.done_steps | {due.step.key}, last_step_on=as_of)
    assert escalations <= 1
    assert [position[k] for k in emitted] == sorted(position[k] for k in emitted)


@given(st.lists(st.tuples(st.integers(1, 4), st.integers(-10, 120)), max_size=30), st.integers(0, 5))
def test_grouping_is_one_message_per_customer_and_channel(specs, seed):
    as_of = DUE + timedelta(days=seed)
    items = [item(n, customer=c, due_on=as_of - timedelta(days=late)) for n, (c, late) in enumerate(specs)]
    results = due_steps(items, STANDARD, as_of)
    messages = group_messages(results)
    pairs = [(m.customer_id, m.channel) for m in messages]
    assert len(pairs) == len(set(pairs))
    assert pairs == sorted(pairs, key=lambda p: (p[0], CHANNELS.index(p[1])))
    assert sorted(d.installment_id for m in messages for d in m.items) == sorted(
        r.installment_id for r in results if isinstance(r, Due)
    )
    for m in messages:
        assert all(d.step.channel == m.channel and d.customer_id == m.customer_id for d in m.items)
        assert m.step.offset_days == max(d.step.offset_days for d in m.items)


@given(st.integers(-400, 400), st.sampled_from(sorted(POLICY.ladders)))
def test_reached_is_the_highest_step_whose_date_has_come(days: int, name: str) -> None:
    ladder = POLICY.ladders[name]
    due = date(2026, 3, 31)
    as_of = due + timedelta(days=days)
    dates = [due + timedelta(days=s.offset_days) for s in ladder.steps]
    expected = max((i for i, d in enumerate(dates) if d <= as_of), default=-1)
    assert reached(ladder, due, as_of) == expected
