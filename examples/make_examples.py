#!/usr/bin/env python3
"""Generate the arctl example ledger: customers, invoices, milestones, payments.

The story
---------
A Hangzhou-based supplier of CNC equipment, automation lines and MES software
keeps its receivables in arctl.  Invoices run from 2025-05-01 to 2026-10-31 and
the demo "as of" date is 2026-10-31.  Sixteen customers behave differently:

* HZJX, SZHD, BSES - key accounts that remit once a month for several invoices
  (combined transfers with an explicit apply list).
* SHXY, GZMY, KSTL - slow payers, often paying in instalments; they end with
  items 30-90 days overdue.
* CQCY, SDQL, PACT - in trouble: they stopped paying (late 2025 / early 2026)
  and have items more than 180 days overdue; SDQL disputes an acceptance.
* WHZW - a government agency: big projects, slow but steady after acceptance.
* CDXS - a new 2026 customer with two milestone projects still being delivered.
* NBHT, SZJD, ACME, MRDN - their last remittance exceeded everything open
  (rounding up, or SZJD paying its last invoice twice) and leaves a credit.

About 15 invoices are project contracts billed by milestone plan.  The
generator models every installment (amount, due date, outstanding balance)
and allocates every payment against that model, so explicit allocations never
exceed an installment or the payment, and "auto" is only written where oldest-
due-first allocation is unambiguous (it gives the same result whether or not
invoices / milestone events dated after the payment are considered, and
whichever way ties are broken).  Amounts are integer cents throughout.

Run ``python examples/make_examples.py``; it rewrites the CSVs next to it.
"""

import csv
import random
import re
from datetime import date, timedelta
from pathlib import Path

SEED = 20
AS_OF = date(2026, 10, 31)
OUT = Path(__file__).resolve().parent
rng = random.Random(SEED)
D, TD = date.fromisoformat, timedelta

CUSTOMER_COLS = [
    "code",
    "name",
    "aliases",
    "terms",
    "credit_limit",
    "currency",
    "grade",
    "tags",
    "contact_name",
    "contact_role",
    "email",
    "phone",
    "language",
    "channel",
    "address",
    "notes",
]
CUSTOMERS = [
    (
        "HZJX",
        "杭州精细机械有限公司",
        "杭州精细;Hangzhou Precision Machinery Co., Ltd.",
        "net45",
        "800000.00",
        "CNY",
        "A",
        "key-account;manufacturing",
        "王丽华",
        "财务",
        "wanglh@hzjx.example.cn",
        "0571-88861234",
        "zh",
        "wechat",
        "浙江省杭州市余杭区文一西路1288号",
        "",
    ),
    (
        "SHXY",
        "上海星云科技有限责任公司",
        "星云科技;Shanghai Nebula Technology",
        "net30",
        "300000.00",
        "CNY",
        "C",
        "manufacturing",
        "陈志强",
        "采购",
        "chenzq@xingyun.example.cn",
        "13816627734",
        "zh",
        "phone",
        "上海市浦东新区张江高科技园区碧波路690号",
        "资金紧张，2025年底曾延迟付款",
    ),
    (
        "SZHD",
        "深圳市华迪智能装备(中国)有限公司",
        "华迪智能;Huadi Intelligent Equipment",
        "eom+30",
        "1200000.00",
        "CNY",
        "A",
        "key-account;export;manufacturing",
        "刘芳",
        "财务",
        "liufang@huadi.example.cn",
        "0755-26781234",
        "zh",
        "email",
        "广东省深圳市南山区高新南七道18号",
        "按月汇总付款，每月25日前对账",
    ),
    (
        "WHZW",
        "武汉市政务数据服务中心",
        "武汉政务数据中心",
        "net60",
        "2000000.00",
        "CNY",
        "B",
        "government",
        "赵建国",
        "财务",
        "zhaojg@whzw.example.cn",
        "027-85561234",
        "zh",
        "letter",
        "湖北省武汉市江汉区建设大道386号",
        "财政拨款审批流程长，验收后付款",
    ),
    (
        "GZMY",
        "广州明远贸易有限公司",
        "明远贸易;明远商行",
        "net15",
        "100000.00",
        "CNY",
        "C",
        "retail",
        "黄晓敏",
        "采购",
        "huangxm@mingyuan.example.cn",
        "13925018866",
        "zh",
        "wechat",
        "广东省广州市天河区天河路208号12楼",
        "小额多笔，常用微信/支付宝付款",
    ),
    (
        "CQCY",
        "重庆长运汽车零部件有限公司",
        "长运零部件;Changyun Auto Parts",
        "net60",
        "400000.00",
        "CNY",
        "D",
        "manufacturing",
        "周伟",
        "CEO",
        "zhouwei@changyun.example.cn",
        "023-67891234",
        "zh",
        "phone",
        "重庆市渝北区空港工业园区双凤路66号",
        "2026年初起停止付款，已发律师函",
    ),
    (
        "NBHT",
        "宁波海通物流股份有限公司",
        "海通物流",
        "net30",
        "300000.00",
        "CNY",
        "B",
        "",
        "孙丽",
        "财务",
        "sunli@haitong.example.cn",
        "0574-87651234",
        "zh",
        "email",
        "浙江省宁波市北仑区明州路88号",
        "",
    ),
    (
        "SDQL",
        "山东齐鲁重工集团有限公司",
        "齐鲁重工;Qilu Heavy Industry Group",
        "net60",
        "1500000.00",
        "CNY",
        "D",
        "key-account;manufacturing",
        "李明",
        "财务",
        "liming@qilu.example.cn",
        "0531-88901234",
        "zh",
        "letter",
        "山东省济南市历城区工业北路1号",
        "验收争议未解决，集团重组中",
    ),
    (
        "CDXS",
        "成都新盛医疗器械有限公司",
        "新盛医疗",
        "net30",
        "600000.00",
        "CNY",
        "B",
        "new;manufacturing",
        "杨静",
        "财务",
        "yangjing@xinsheng.example.cn",
        "028-85123456",
        "zh",
        "wechat",
        "四川省成都市高新区天府大道中段1388号",
        "2026年新客户，首单预付款",
    ),
    (
        "SZJD",
        "苏州嘉德精密模具有限公司",
        "嘉德模具;苏州嘉德",
        "net45",
        "500000.00",
        "CNY",
        "A",
        "manufacturing",
        "吴海燕",
        "财务",
        "wuhy@jiade.example.cn",
        "0512-62581234",
        "zh",
        "email",
        "江苏省苏州市工业园区星湖街328号",
        "",
    ),
    (
        "ACME",
        "Acme Robotics GmbH",
        "Acme Robotics;ACME Robotik",
        "net30",
        "250000.00",
        "USD",
        "A",
        "key-account;export;manufacturing",
        "Jonas Weber",
        "finance",
        "j.weber@acme-robotics.example.com",
        "+49 89 2019 4410",
        "en",
        "email",
        "Landsberger Str. 155, 80687 München, Germany",
        "",
    ),
    (
        "PACT",
        "Pacific Trade Ltd",
        "Pacific Trade;PTL",
        "net60",
        "150000.00",
        "USD",
        "D",
        "export;retail",
        "Kevin Lam",
        "CEO",
        "kevin.lam@pacifictrade.example.com",
        "+852 2345 6789",
        "en",
        "phone",
        "Unit 1203, Harbour Centre, 25 Harbour Road, Wan Chai, Hong Kong",
        "Parent company restructuring",
    ),
    (
        "NORD",
        'Nordic "Polar" Automation AB',
        "Nordic Polar Automation;Polar Automation",
        "net45",
        "300000.00",
        "USD",
        "B",
        "export;manufacturing",
        "Erik Lindqvist",
        "purchasing",
        "erik.lindqvist@polar-automation.example.com",
        "+46 8 123 456 78",
        "en",
        "email",
        "Kungsgatan 44, 111 35 Stockholm, Sweden",
        "",
    ),
    (
        "BSES",
        "Bright Star Electronics (Suzhou) Co., Ltd.",
        "Bright Star Suzhou;明星电子(苏州)",
        "eom+30",
        "800000.00",
        "CNY",
        "A",
        "key-account;manufacturing;export",
        "Linda Zhou",
        "finance",
        "linda.zhou@brightstar.example.com",
        "0512-65891234",
        "en",
        "email",
        "No. 88 Suhong East Road, Suzhou Industrial Park, Jiangsu",
        "Monthly consolidated remittance",
    ),
    (
        "MRDN",
        "Meridian Foods (Shanghai) Ltd",
        "Meridian Foods",
        "2/10 net 30",
        "200000.00",
        "CNY",
        "B",
        "retail",
        "Sarah Chen",
        "purchasing",
        "sarah.chen@meridianfoods.example.com",
        "021-62781234",
        "en",
        "email",
        "Room 1801, 1038 West Nanjing Road, Jing'an District, Shanghai",
        "Rounds remittances up",
    ),
    (
        "KSTL",
        "Kestrel Components Ltd",
        "Kestrel;Kestrel Components (HK)",
        "net30",
        "120000.00",
        "CNY",
        "C",
        "new",
        "Daniel Ng",
        "purchasing",
        "daniel.ng@kestrel.example.com",
        "13601234567",
        "en",
        "phone",
        "8/F Wing Tat Industrial Building, Kwun Tong, Hong Kong",
        "Slow payer, chase by phone",
    ),
]
CUST = {c[0]: dict(zip(CUSTOMER_COLS, c, strict=True)) for c in CUSTOMERS}

# Behaviour per customer. amt/plan_amt in whole currency units; delay = days
# paid relative to due date; deposit = days after signing the deposit is paid;
# stop = no payments after this date; over = last remittance over-pays.
DEFAULT = dict(
    n=4,
    plans=0,
    win=("2025-05-06", "2026-10-20"),
    amt=(20000, 200000),
    plan_amt=(300000, 1500000),
    delay=(0, 10),
    deposit=(0, 5),
    partial=0.0,
    stop=None,
    batch=0.0,
    over=None,
    pending=0,
    methods=("bank_transfer",),
    bank="GS",
    related=None,
    tranches=(2, 3),
    acct="6222",
    acct_len=15,
)
PROFILES = {
    "HZJX": dict(
        n=8,
        plans=3,
        amt=(30000, 380000),
        plan_amt=(400000, 1800000),
        delay=(-5, 8),
        deposit=(0, 3),
        batch=0.6,
        methods=("bank_transfer",) * 3 + ("acceptance_bill",),
        bank="HZ",
        related="精细控股集团有限公司",
    ),
    "SHXY": dict(
        n=6,
        plans=1,
        win=("2025-05-12", "2026-08-14"),
        amt=(15000, 180000),
        plan_amt=(300000, 700000),
        delay=(25, 75),
        deposit=(3, 20),
        partial=0.6,
        stop="2026-09-30",
        batch=0.5,
        bank="ZS",
        related="星云控股（上海）有限公司",
    ),
    "SZHD": dict(
        n=6,
        plans=2,
        win=("2025-06-02", "2026-10-15"),
        amt=(60000, 450000),
        plan_amt=(500000, 2000000),
        delay=(-3, 15),
        batch=1.0,
        bank="PF",
        methods=("bank_transfer",) * 4 + ("acceptance_bill",),
    ),
    "WHZW": dict(
        n=3,
        plans=2,
        win=("2025-07-01", "2026-05-29"),
        amt=(80000, 300000),
        plan_amt=(800000, 2000000),
        delay=(30, 80),
        deposit=(10, 35),
        pending=1,
        partial=0.4,
        bank="NH",
        related="武汉市财政局国库支付中心",
    ),
    "GZMY": dict(
        n=7,
        win=("2025-05-08", "2026-10-09"),
        amt=(3000, 40000),
        delay=(5, 50),
        partial=0.7,
        tranches=(2, 4),
        batch=0.3,
        bank="GF",
        methods=("bank_transfer", "wechat", "alipay", "cash"),
    ),
    "CQCY": dict(
        n=6,
        plans=1,
        win=("2025-05-15", "2026-02-27"),
        amt=(40000, 260000),
        plan_amt=(300000, 600000),
        delay=(10, 50),
        partial=0.6,
        stop="2026-03-13",
        batch=0.5,
        bank="CQ",
        methods=("bank_transfer",) * 2 + ("acceptance_bill",),
    ),
    "NBHT": dict(
        n=5, win=("2025-06-02", "2026-07-31"), amt=(20000, 150000), delay=(-3, 6), over="round1000", bank="NB"
    ),
    "SDQL": dict(
        n=4,
        plans=2,
        win=("2025-05-20", "2025-12-31"),
        amt=(100000, 400000),
        plan_amt=(600000, 2000000),
        delay=(20, 60),
        partial=0.7,
        stop="2026-02-10",
        pending=1,
        bank="QL",
        methods=("bank_transfer", "acceptance_bill"),
        related="齐鲁重工集团财务有限公司",
    ),
    "CDXS": dict(
        n=3,
        plans=2,
        win=("2026-03-02", "2026-10-15"),
        amt=(30000, 120000),
        plan_amt=(300000, 900000),
        delay=(-2, 5),
        deposit=(0, 2),
        bank="CD",
    ),
    "SZJD": dict(
        n=4, win=("2025-05-20", "2026-06-30"), amt=(40000, 200000), delay=(-2, 10), over="duplicate", bank="SZ"
    ),
    "ACME": dict(
        n=4,
        win=("2025-06-10", "2026-07-15"),
        amt=(8000, 60000),
        delay=(0, 12),
        over="round100",
        bank="DB",
        related="Acme Holding AG",
        acct="DE89",
        acct_len=18,
    ),
    "PACT": dict(
        n=5,
        win=("2025-05-15", "2026-01-20"),
        amt=(5000, 45000),
        delay=(10, 40),
        partial=0.7,
        tranches=(2, 4),
        stop="2026-02-13",
        bank="HS",
        acct="004",
        acct_len=12,
        methods=("bank_transfer",) * 3 + ("cheque",),
    ),
    "NORD": dict(
        n=3,
        plans=1,
        win=("2025-08-01", "2026-09-30"),
        amt=(10000, 80000),
        plan_amt=(120000, 300000),
        delay=(0, 20),
        deposit=(2, 10),
        partial=0.3,
        bank="SE",
        acct="SE45",
        acct_len=20,
    ),
    "BSES": dict(
        n=6,
        plans=1,
        win=("2025-05-12", "2026-10-23"),
        amt=(50000, 350000),
        plan_amt=(400000, 1200000),
        delay=(-4, 4),
        batch=1.0,
        bank="CT",
    ),
    "MRDN": dict(
        n=5, win=("2025-07-01", "2026-07-31"), amt=(10000, 90000), delay=(-19, -8), over="round100", bank="HF"
    ),
    "KSTL": dict(
        n=4,
        win=("2025-11-03", "2026-08-28"),
        amt=(8000, 60000),
        delay=(40, 80),
        partial=0.5,
        bank="HK",
        methods=("bank_transfer", "cheque"),
    ),
}
PROF = {code: {**DEFAULT, **p} for code, p in PROFILES.items()}

PLANS = [
    "30% on signing, 40% delivery+30d, 25% acceptance+90d, 5% retention+365d",
    "50% on signing, 50% acceptance+30d",
    "30% on signing, 60% delivery+15d, 10% retention+365d",
    "20% on signing, 30% net60, 50% acceptance+60d",
]
DESC = {
    "zh": [
        "数控机床维保服务 {q}",
        "设备款 第{n}批",
        "备品备件采购",
        "MES系统软件许可 {y}年费",
        "技术服务费 {ym}",
        "传感器及控制模块",
        "软件定制开发 二期",
        "设备租赁费 {ym}",
    ],
    "en": [
        "Spare parts order",
        "Annual software license {y}",
        "Maintenance service {q}",
        "Sensor modules batch {n}",
        "Technical support {ym}",
        "Controller units",
        "Field service visit",
    ],
}
PLAN_DESC = {
    "zh": ["自动化生产线项目 设备及安装", "智能仓储系统建设项目", "MES系统实施项目", "数控加工中心采购项目"],
    "en": ["Robotic welding cell project", "Warehouse automation system", "MES implementation project"],
}


def money(cents):
    assert cents >= 0
    return f"{cents // 100}.{cents % 100:02d}"


def weekday_back(d):
    return d - TD(days=max(0, d.weekday() - 4))


def weekday_fwd(d):
    return d + TD(days=(7 - d.weekday()) if d.weekday() >= 5 else 0)


def term_due(terms, issue):
    if terms == "eom+30":
        nxt = issue.replace(day=28) + TD(days=4)
        return nxt - TD(days=nxt.day) + TD(days=30)
    return issue + TD(days=int(re.fullmatch(r"(?:\d+/\d+ )?net ?(\d+)", terms)[1]))


class Inst:
    """One installment of an invoice; `due`/`event` are None while pending."""

    def __init__(self, inv, seq, amount, due, event, signing):
        self.inv, self.seq, self.amount, self.due, self.event = inv, seq, amount, due, event
        self.signing, self.open = signing, amount


PART = re.compile(r"(\d+)% (on signing|net(\d+)|(delivery|acceptance|retention)\+(\d+)d)")


def installments(inv, events):
    if not inv["plan"]:
        return [
            Inst(
                inv,
                1,
                inv["amount"],
                term_due(inv["terms"] or CUST[inv["customer"]]["terms"], inv["issue"]),
                None,
                False,
            )
        ]
    parts = [PART.fullmatch(p.strip()) for p in inv["terms"].split(",")]
    assert all(parts) and sum(int(m[1]) for m in parts) == 100
    out, done, prev = [], 0, None
    for seq, m in enumerate(parts, 1):
        amt = inv["amount"] - done if seq == len(parts) else (inv["amount"] * int(m[1]) + 50) // 100
        done += amt
        ev = due = None
        if m[2] == "on signing":
            due = inv["issue"]
        elif m[3]:
            due = inv["issue"] + TD(days=int(m[3]))
        else:
            name = prev if m[4] == "retention" else m[4]
            prev = name
            ev = events.get(name)
            due = ev + TD(days=int(m[5])) if ev else None
        out.append(Inst(inv, seq, amt, due, ev, m[2] == "on signing"))
    return out


# ---------------------------------------------------------------- invoices
invoices = []
for code, p in PROF.items():
    lang = CUST[code]["language"]
    start, end = D(p["win"][0]), D(p["win"][1])
    days = [*sorted(rng.sample(range((end - start).days), p["n"] - 1)), (end - start).days]  # last on `end`
    plan_idx = set(rng.sample(range(p["n"]), p["plans"]))
    for k, off in enumerate(days):
        issue = max(start, weekday_back(start + TD(days=off)))
        plan = k in plan_idx
        lo, hi = p["plan_amt"] if plan else p["amt"]
        amount = rng.randint(lo * 100, hi * 100)
        if plan:
            terms, desc = rng.choice(PLANS), rng.choice(PLAN_DESC[lang])
        else:
            r = rng.random()
            terms = (
                "" if r < 0.35 else CUST[code]["terms"] if r < 0.85 else rng.choice(["net30", "net45", "net60"])
            )
            desc = rng.choice(DESC[lang]).format(
                q=f"{issue.year}Q{(issue.month - 1) // 3 + 1}", y=issue.year, ym=f"{issue:%Y-%m}", n=k + 1
            )
        invoices.append(
            dict(
                customer=code,
                issue=issue,
                amount=amount,
                terms=terms,
                desc=desc,
                plan=plan,
                currency=CUST[code]["currency"],
                contract="",
            )
        )
order = {c: i for i, c in enumerate(PROF)}
invoices.sort(key=lambda v: (v["issue"], order[v["customer"]]))
seq_by_year, contracts = {}, {}
for idx, inv in enumerate(invoices):
    y = inv["issue"].year
    seq_by_year[y] = seq_by_year.get(y, 0) + 1
    inv["idx"], inv["number"] = idx, f"INV-{y}-{seq_by_year[y]:04d}"
    if inv["plan"]:
        contracts[y] = contracts.get(y, 0) + rng.randint(1, 9)
        inv["contract"] = f"HT-{y}-{contracts[y]:03d}"

# -------------------------------------------------------------- milestones
milestones, pending_events = [], []
forced = {c: p["pending"] for c, p in PROF.items()}
for inv in invoices:
    if not inv["plan"]:
        inv["insts"] = installments(inv, {})
        continue
    names = re.findall(r"(delivery|acceptance)\+", inv["terms"])
    dates = {"delivery": inv["issue"] + TD(days=rng.randint(20, 75))}
    dates["acceptance"] = (dates["delivery"] if "delivery" in names else inv["issue"]) + TD(
        days=rng.randint(30, 110)
    )
    events = {n: dates[n] for n in names if dates[n] <= AS_OF}
    if forced[inv["customer"]] and names[-1] in events:  # disputed / not yet signed off
        forced[inv["customer"]] -= 1
        del events[names[-1]]
    pending_events += [(inv["number"], n) for n in names if n not in events]
    milestones += [(dates[n], inv["number"], n) for n in names if n in events]
    inv["insts"] = installments(inv, events)
milestones.sort()
ALL = [i for inv in invoices for i in inv["insts"]]


# ------------------------------------------------------- planned payments
def plan_customer(code, p):
    """Return planned payments [(date, [(inst, cents), ...])] for one customer."""
    pieces, stop = [], min(AS_OF, D(p["stop"]) if p["stop"] else AS_OF)
    for inst in sorted((i for i in ALL if i.inv["customer"] == code and i.due), key=lambda i: i.due):
        inv = inst.inv
        if inst.signing:
            day = inv["issue"] + TD(days=rng.randint(*p["deposit"]))
        else:
            day = inst.due + TD(days=rng.randint(*p["delay"]))
        day = max(day, inv["issue"], inst.event or inv["issue"])
        if "2/10" in (inv["terms"] or CUST[code]["terms"]):
            day = max(day, inv["issue"] + TD(days=11))  # never inside the discount window
        day = weekday_fwd(day)
        if day > stop:
            continue
        if rng.random() < p["partial"] and inst.amount >= 5000_00:  # paid in tranches
            left, tranches = inst.amount, rng.randint(*p["tranches"])
            for t in range(tranches):
                part = (
                    left
                    if t == tranches - 1
                    else min(left, max(1000_00, left * rng.randint(30, 60) // 100 // 1000_00 * 1000_00))
                )
                if day > stop or part <= 0:
                    break
                pieces.append((day, inst, part))
                left -= part
                day = weekday_fwd(day + TD(days=rng.randint(20, 60)))
        else:
            pieces.append((day, inst, inst.amount))
    pieces.sort(key=lambda t: (t[0], t[1].due))
    groups, batch_month = {}, {}
    for day, inst, cents in pieces:  # some months are remitted in one transfer
        ym = (day.year, day.month)
        if ym not in batch_month:
            batch_month[ym] = rng.random() < p["batch"]
        groups.setdefault(ym if batch_month[ym] else day, []).append((day, inst, cents))
    out = []
    for grp in groups.values():  # at most 4 invoices per transfer
        chunk = []
        for piece in grp:
            if len({x[1].inv["number"] for x in [*chunk, piece]}) > 4:
                out.append((max(x[0] for x in chunk), [x[1:] for x in chunk]))
                chunk = []
            chunk.append(piece)
        out.append((max(x[0] for x in chunk), [x[1:] for x in chunk]))
    if p["over"]:  # final remittance over-pays
        last = max(d for d, _ in out)
        out = [(d, ps) for d, ps in out if d < last] + [(last, None)]
    return out


planned = []
for code, p in PROF.items():
    planned += [(day, order[code], k, code, ps) for k, (day, ps) in enumerate(plan_customer(code, p))]
planned.sort(key=lambda t: t[:3])


def auto_alloc(code, day, amount, strict, desc):
    """Oldest-due-first allocation; strict ignores invoices/events dated after `day`."""
    cands = [
        i
        for i in ALL
        if i.inv["customer"] == code
        and i.open
        and i.due
        and (not strict or (i.inv["issue"] <= day and (i.event is None or i.event <= day)))
    ]
    cands.sort(key=lambda i: (i.due, -i.inv["idx"] if desc else i.inv["idx"], i.seq))
    alloc, left = {}, amount
    for i in cands:
        take = min(left, i.open)
        if take:
            alloc[i], left = take, left - take
    return alloc, left


def unambiguous_auto(code, day, amount):
    results = [auto_alloc(code, day, amount, s, d) for s in (True, False) for d in (False, True)]
    return results[0] if all(r == results[0] for r in results) else None


# ---------------------------------------------------------------- payments
payments, refs, kinds = [], set(), {"full": 0, "partial": 0, "combined": 0, "over": 0, "deposit": 0, "usd": 0}
for day, _, _, code, pieces in planned:
    p, cust = PROF[code], CUST[code]
    if pieces is None:  # over-payment, allocated with "auto"
        res = unambiguous_auto(code, day, 10**15)
        assert res and res[0], f"ambiguous or empty over-payment for {code}"
        alloc = res[0]
        total = sum(alloc.values())
        if p["over"] == "duplicate":
            extra = max(alloc, key=lambda i: i.inv["idx"]).amount
        else:
            step = 1000_00 if p["over"] == "round1000" else 100_00
            extra = step - total % step
        amount, apply_s, kind = total + extra, "auto", "over"
    else:
        alloc = {}
        for inst, cents in pieces:
            alloc[inst] = alloc.get(inst, 0) + cents
        amount = sum(alloc.values())
        assert all(0 < c <= i.open for i, c in alloc.items()), "over-allocation"
        invs = {i.inv["number"] for i in alloc}
        partial = any(c < i.open for i, c in alloc.items())
        kind = "combined" if len(invs) > 1 else "partial" if partial else "full"
        if any(i.signing and i.inv["plan"] for i in alloc):
            kinds["deposit"] += 1
        if kind == "full" and rng.random() < 0.55 and unambiguous_auto(code, day, amount) == (alloc, 0):
            apply_s = rng.choice(["auto", ""])
        else:
            apply_s = ";".join(
                f"{i.inv['number']}{f':{i.seq}' if i.inv['plan'] else ''}={money(c)}"
                for i, c in sorted(alloc.items(), key=lambda t: (t[0].due, t[0].inv["idx"], t[0].seq))
            )
    for inst, cents in alloc.items():
        assert inst.inv["issue"] <= day and (inst.event is None or inst.event <= day) and cents <= inst.open
        inst.open -= cents
    kinds[kind] += 1
    kinds["usd"] += cust["currency"] == "USD"
    method = rng.choice(p["methods"])
    if (method in ("wechat", "alipay") and amount > 50000_00) or (method == "cash" and amount > 20000_00):
        method = "bank_transfer"
    names = [cust["name"]] + [a for a in cust["aliases"].split(";") if a]
    r = rng.random()
    payer = (
        p["related"] if p["related"] and r < 0.12 else rng.choice(names[1:]) if r < 0.3 and names[1:] else names[0]
    )
    ref = None
    while ref is None or ref in refs:  # bank serial / receipt / wallet transaction no.
        ref = {
            "cash": f"SJ{day:%Y%m%d}{rng.randint(1, 99):03d}",
            "alipay": f"{day:%Y%m%d}2200{rng.randint(0, 10**12 - 1):012d}",
            "wechat": f"4200{rng.randint(0, 10**6 - 1):06d}{day:%Y%m%d}{rng.randint(0, 10**10 - 1):010d}",
        }.get(method, f"{p['bank']}{day:%Y%m%d}{rng.randint(0, 99999):05d}")
    refs.add(ref)
    account = p.setdefault(
        "account", p["acct"] + "".join(random.Random(code).choices("0123456789", k=p["acct_len"]))
    )
    account = "" if method == "cash" else account
    payments.append([day.isoformat(), code, money(amount), cust["currency"], method, payer, account, ref, apply_s])


# ------------------------------------------------------------------ output
def write(name, header, rows):
    with open(OUT / name, "w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows([header, *rows])


write("customers.csv", CUSTOMER_COLS, [list(c) for c in CUSTOMERS])
write(
    "invoices.csv",
    ["number", "customer", "issue_date", "currency", "amount", "terms", "description", "contract"],
    [
        [
            v["number"],
            v["customer"],
            v["issue"].isoformat(),
            v["currency"],
            money(v["amount"]),
            v["terms"],
            v["desc"],
            v["contract"],
        ]
        for v in invoices
    ],
)
write("milestones.csv", ["invoice", "event", "date"], [[n, e, d.isoformat()] for d, n, e in milestones])
write(
    "payments.csv",
    ["date", "customer", "amount", "currency", "method", "payer_name", "payer_account", "reference", "apply"],
    payments,
)

# ----------------------------------------------------------------- summary
print(f"customers: {len(CUSTOMERS)}  invoices: {len(invoices)}  plan invoices: {sum(v['plan'] for v in invoices)}")
print(f"milestone events recorded: {len(milestones)}  pending: {len(pending_events)}")
print(f"payments: {len(payments)}  " + "  ".join(f"{k}: {v}" for k, v in kinds.items()))
print(f"open at {AS_OF} by days overdue:")
LIMITS = [("current", 0), ("1-30", 30), ("31-90", 90), ("91-180", 180), (">180", 10**6)]
for code in PROF:
    b = dict.fromkeys(["current", "1-30", "31-90", "91-180", ">180", "no due date"], 0)
    for i in (i for i in ALL if i.inv["customer"] == code and i.open):
        od = (AS_OF - i.due).days if i.due else None
        b["no due date" if od is None else next(k for k, lim in LIMITS if od <= lim)] += i.open
    cr = sum(int(r[2].replace(".", "")) for r in payments if r[1] == code) - sum(
        i.amount - i.open for i in ALL if i.inv["customer"] == code
    )
    print(
        f"  {code} {CUST[code]['currency']} "
        + " ".join(f"{k}={money(v)}" for k, v in b.items() if v)
        + (f" credit={money(cr)}" if cr else "")
        + ("" if any(b.values()) else "  nothing open")
    )

assert 90 <= len(payments) <= 120 and 70 <= len(invoices) <= 80 and len(pending_events) >= 5
assert kinds["partial"] >= 8 and kinds["combined"] >= 5 and kinds["over"] >= 4 and kinds["usd"] >= 2
