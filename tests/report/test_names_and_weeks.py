"""Pinyin order of names, and ISO weeks as periods."""

from __future__ import annotations

from datetime import date

import pytest

from policyengine.errors import UsageError
from policyengine.periods import Period
from policyengine.report.names import person_sort_key

PEOPLE = ["杨宝珠", "张三", "陈立", "李小四", "周敏", "赵强", "孙婷", "陈小美", None]


def test_chinese_names_sort_in_pinyin_order_and_no_name_last() -> None:
    # chen li, chen xiao mei, li xiao si, sun ting, yang bao zhu, zhang san, zhao qiang, zhou min
    assert sorted(PEOPLE, key=lambda n: person_sort_key(n, "zh")) == [
        "陈立", "陈小美", "李小四", "孙婷", "杨宝珠", "张三", "赵强", "周敏", None]
    # code point order would put 周 (U+5468) and 孙 before 张 and 陈 last
    assert sorted(p for p in PEOPLE if p) != sorted(
        (p for p in PEOPLE if p), key=lambda n: person_sort_key(n, "zh"))


def test_english_order_is_alphabetical_by_romanisation() -> None:
    names = ["Zoe", "陈立", "alice", "李小四"]
    assert sorted(names, key=lambda n: person_sort_key(n, "en")) == [
        "alice", "陈立", "李小四", "Zoe"]


def test_iso_weeks() -> None:
    week = Period.parse("2026-W43")
    assert (week.label, week.start, week.end) == ("2026-W43", date(2026, 10, 19),
                                                   date(2026, 10, 26))
    assert week.is_week and not week.is_quarter
    # ISO week 1 of 2027 starts on Monday 2027-01-04; 2026 has 53 ISO weeks
    assert Period.parse("2027-W01").start == date(2027, 1, 4)
    assert Period.parse("2026w53").start == date(2026, 12, 28)
    with pytest.raises(UsageError, match="has no week 53"):
        Period.parse("2027-W53")
    with pytest.raises(UsageError, match="YYYY-Www"):
        Period.parse("2026-W4")
