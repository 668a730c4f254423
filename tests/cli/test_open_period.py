"""A period not yet ended, its as-of defaulted to the period's end, must not read as final:
the command line says so. "Today" is injected, never the real clock."""

from __future__ import annotations

import argparse
import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from helpers import POLICY_DIR, SAMPLE_FACTS

import policyengine as pe
from policyengine.cli import evaluate as evaluate_cli
from policyengine.cli import report as report_cli
from policyengine.cli.common import as_of_of, open_period_warning
from policyengine.cli.main import main

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
SAMPLE = ["--facts", str(SAMPLE_FACTS), "--policy", str(POLICY_DIR)]
ZH = ("本期尚未结束：截至时间 2027-01-01 00:00 在今天之后，届时之前到期而尚未完成的职责都计为违规；"
      "结果会随新事实变化（加 --as-of now 查看现在的情况）")
EN = "the period has not ended: as of 2027-01-01 00:00 is after today"


def test_the_warning_is_for_a_future_period_end_only() -> None:
    q4, october = pe.Period.parse("2026-Q4"), pe.Period.parse("2026-10")
    assert open_period_warning(q4, False, SHANGHAI, "zh", TODAY) == ZH
    assert (open_period_warning(q4, False, SHANGHAI, "en", TODAY) or "").startswith(EN)
    assert open_period_warning(october, False, SHANGHAI, "zh", TODAY) is None  # ended
    assert open_period_warning(q4, True, SHANGHAI, "zh", TODAY) is None  # --as-of given
    assert open_period_warning(None, False, SHANGHAI, "zh", TODAY) is None
    # the end itself: 2027-01-01 00:00 in Shanghai is 2026-12-31 16:00 UTC
    end = datetime(2026, 12, 31, 16, 0, tzinfo=UTC)
    assert open_period_warning(q4, False, SHANGHAI, "zh", end) is None


class _Today(datetime):
    @classmethod
    def now(cls, tz: object = None) -> _Today:  # type: ignore[override]
        return cls.fromtimestamp(TODAY.timestamp(), UTC)


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> None:
    for module in (evaluate_cli, report_cli):
        monkeypatch.setattr(module, "datetime", _Today)


def test_report_rewards_of_an_open_quarter_warns(
        today: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "rewards.json"
    # 3: W1 of 2026-W53 is due on a day of 2027, pending calendar data
    assert main(["report", "rewards", "--quarter", "2026-Q4", *SAMPLE, "-o", str(target)]) == 3
    assert ZH in capsys.readouterr().err
    assert ZH in json.loads(target.read_text(encoding="utf-8"))["warnings"]
    # every format shows it: the title block (here the CSV's) carries it too
    csv_file = tmp_path / "rewards.csv"
    assert main(["report", "rewards", "--quarter", "2026-Q4", *SAMPLE, "-o", str(csv_file)]) == 3
    cells = [c for row in csv.reader(io.StringIO(csv_file.read_text(encoding="utf-8-sig")))
             for c in row]
    assert ZH in cells


def test_no_warning_with_as_of_or_for_an_ended_period(
        today: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "rewards.json"
    assert main(["report", "rewards", "--quarter", "2026-Q4", *SAMPLE, "-o", str(target),
                 "--as-of", "2026-11-30T17:00"]) == 0
    assert "本期尚未结束" not in capsys.readouterr().err
    assert json.loads(target.read_text(encoding="utf-8"))["warnings"] == []
    assert main(["report", "deductions", "--month", "2026-10", *SAMPLE, "-o", str(target)]) == 0
    assert "本期尚未结束" not in capsys.readouterr().err


def test_evaluate_table_warns_for_an_open_quarter(
        today: None, capsys: pytest.CaptureFixture[str]) -> None:
    main(["evaluate", "--quarter", "2026-Q4", *SAMPLE])  # exit 3: a 2027 duty is pending
    assert f"! {ZH}" in capsys.readouterr().out
    main(["evaluate", "--quarter", "2026-Q4", *SAMPLE, "--lang", "en"])
    assert f"! {EN}" in capsys.readouterr().out
    assert main(["evaluate", "--month", "2026-10", *SAMPLE]) == 0
    assert "本期尚未结束" not in capsys.readouterr().out


def test_evaluate_csv_keeps_the_warning_off_the_data(
        today: None, capsys: pytest.CaptureFixture[str]) -> None:
    main(["evaluate", "--quarter", "2026-Q4", *SAMPLE, "--format", "csv", "--lang", "en"])
    out, err = capsys.readouterr()
    assert ZH not in out and EN not in out and EN in err


def test_as_of_now_is_the_moment_the_command_read_the_clock() -> None:
    policy = pe.load_policy(POLICY_DIR)
    for text in ("now", " NOW "):
        args = argparse.Namespace(as_of=text)
        assert as_of_of(args, policy, datetime(2026, 11, 30, 9, 0, 5, 123456, tzinfo=UTC)) == (
            datetime(2026, 11, 30, 17, 0, 5, tzinfo=SHANGHAI))
    with pytest.raises(pe.UsageError, match="not an ISO time nor 'now'"):
        as_of_of(argparse.Namespace(as_of="today"), policy, TODAY)


def test_evaluate_and_report_as_of_now_stand_at_today_without_the_warning(
        today: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", "--month", "2026-11", *SAMPLE, "--as-of", "now",
                 "--format", "json"]) == 0
    out, err = capsys.readouterr()
    document = json.loads(out)
    assert document["as_of"] == "2026-11-30T17:00:00+08:00"  # TODAY, in the calendar's zone
    assert "本期尚未结束" not in err
    # at the month's end the open duties of the sample would be missed; now they are open
    assert main(["evaluate", "--month", "2026-11", *SAMPLE, "--format", "json"]) == 0
    at_end = json.loads(capsys.readouterr().out)
    assert len(at_end["violations"]) > len(document["violations"])
    target = tmp_path / "monthly.json"
    assert main(["report", "monthly", "--month", "2026-11", *SAMPLE, "--as-of", "now",
                 "-o", str(target)]) == 0
    report = json.loads(target.read_text(encoding="utf-8"))
    assert report["as_of"] == "2026-11-30T17:00:00+08:00" and report["warnings"] == []


def test_a_report_is_warned_of_against_the_moment_it_stands_at(
        today: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The weekly report stands at its week's deadline (Friday 12:00), not at the week's end:
    the warning names that moment, and there is none once it has passed."""
    target = tmp_path / "weekly.json"
    # 2026-W49: Monday 30 November - Sunday 6 December; TODAY is that Monday, 17:00
    assert main(["report", "weekly", "--week", "2026-W49", *SAMPLE, "-o", str(target)]) == 0
    document = json.loads(target.read_text(encoding="utf-8"))
    assert document["as_of"] == "2026-12-04T12:00:00+08:00"
    [warning] = document["warnings"]
    assert warning.startswith("本期尚未结束：截至时间 2026-12-04 12:00 在今天之后")
    assert "2026-12-04 12:00" in capsys.readouterr().err
    w49 = pe.Period.parse("2026-W49")
    saturday = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)  # the deadline passed, the week runs
    deadline = datetime(2026, 12, 4, 12, 0, tzinfo=SHANGHAI)
    assert open_period_warning(w49, False, SHANGHAI, "zh", saturday, deadline) is None
    assert open_period_warning(w49, False, SHANGHAI, "zh", saturday) is not None  # its end
