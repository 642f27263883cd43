"""Reconciliation proposals: which open installments each incoming bank credit settles, and how sure we are.

Pure and typed: bank credits, open installments and known payers in (`model`), ranked `Proposal`s with a
score breakdown out (`propose.match`). No database, no CLI. `names` normalises and fuzzy-matches payer
names in bulk; `subset` is the bounded subset-sum search for one transfer paying several installments.
"""

from arctl.matching.model import (
    Credit,
    LineResult,
    OpenInstallment,
    Payer,
    PayerMatch,
    Proposal,
    Reason,
    Settings,
)
from arctl.matching.propose import match

__all__ = [
    "Credit",
    "LineResult",
    "OpenInstallment",
    "Payer",
    "PayerMatch",
    "Proposal",
    "Reason",
    "Settings",
    "match",
]
