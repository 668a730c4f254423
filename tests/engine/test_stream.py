"""The streaming evaluation of a file (engine/stream.py) gives what the list path gives:
`evaluate(policy, read_facts(file).facts)`, byte for byte, with the same rejected lines and
counts; on the sample month and on generated streams sorted, shuffled (sorted on disk),
with re-sent facts, ids used for two different facts, and broken lines. And it does not
hold every fact."""

from __future__ import annotations

import gc
import json
import random
import shutil
from datetime import UTC, date, timedelta, timezone
from pathlib import Path

import pytest
from helpers import SAMPLE_FACTS, shipped
from test_workers import generated

import policyengine as pe
from policyengine.cli.main import main
from policyengine.engine import dormant, spill, stream
from policyengine.engine.evaluate import evaluate_file
from policyengine.engine.replay import replay
from policyengine.facts.reader import FactStream
from policyengine.facts.schema import Fact, parse_time


def _listed(path: Path, **when: object) -> tuple[str, list[tuple[str, str, list[str]]], int, int]:
    batch = pe.read_facts(path, shipped())
    result = pe.evaluate(shipped(), batch.facts, **when)  # type: ignore[arg-type]
    return (_text(result), [(str(r.location), r.text, list(r.reasons)) for r in batch.rejected],
            batch.duplicates, len(batch.facts))


def _streamed(path: Path, **when: object) -> tuple[str, list[tuple[str, str, list[str]]], int,
                                                   int]:
    result, read = evaluate_file(shipped(), FactStream(path, shipped().schema),
                                 **when)  # type: ignore[arg-type]
    return (_text(result), [(str(r.location), r.text, list(r.reasons)) for r in read.rejected],
            read.duplicates, read.kept)


def _text(result: pe.EvaluationResult) -> str:
    document = result.to_dict()
    document["explanations"] = [list(map(str, v.explain())) for v in result.violations]
    return json.dumps(document, ensure_ascii=False, sort_keys=True, default=str)


@pytest.mark.parametrize("when", [{"period": "2026-10"}, {"period": "2026-Q4"},
                                  {"period": "2026-09"},
                                  {"as_of": "2026-10-15T12:00:00+08:00"}])
def test_sample_month_the_same_as_the_list_path(when: dict[str, str]) -> None:
    if "as_of" in when:
        when = {"as_of": parse_time(when["as_of"], shipped().calendar.tz)}  # type: ignore[dict-item]
    streamed = _streamed(SAMPLE_FACTS, **when)
    assert streamed == _listed(SAMPLE_FACTS, **when)
    if when.get("period") == "2026-10":
        assert json.loads(streamed[0])["stats"]["violations"] == 45


def _lines() -> list[str]:
    return generated().read_text(encoding="utf-8").splitlines()


def _write(tmp_path: Path, lines: list[str], name: str = "facts.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# The generated stream runs from 2020-12-28 to 2021-04-21.
PERIODS = [{"period": "2021-03"}, {"period": "2021-Q1"}, {"period": "2021-05"}]


@pytest.mark.parametrize("when", PERIODS)
def test_generated_sorted_stream_the_same(when: dict[str, str]) -> None:
    assert _streamed(generated(), **when) == _listed(generated(), **when)


def test_an_as_of_in_another_zone_keeps_the_same_instants() -> None:
    # The streamed pass compares each instant with the as-of moved into the calendar's zone
    # (engine/instants.py `Runs`): an as-of given in UTC or at another offset keeps what the
    # list path keeps. A fact at the as-of itself is kept, one a second later is not.
    facts = pe.read_facts(generated(), shipped()).facts
    middle = sorted(f.at for f in facts)[len(facts) // 2]
    seen = []
    for instant in (middle, middle - timedelta(seconds=1)):
        for zone in (UTC, timezone(timedelta(hours=-5))):
            as_of = instant.astimezone(zone)
            streamed = _streamed(generated(), as_of=as_of)
            assert streamed == _listed(generated(), as_of=as_of), zone
            stats = json.loads(streamed[0])["stats"]
            assert stats["facts"] == sum(1 for f in facts if f.at <= instant)
            seen.append(stats["facts"])
    assert seen[0] > seen[-1]


def test_whole_history_the_same() -> None:
    as_of = parse_time("2021-04-21T16:00:00+08:00", shipped().calendar.tz)
    streamed = _streamed(generated(), as_of=as_of)
    assert streamed == _listed(generated(), as_of=as_of)
    assert json.loads(streamed[0])["stats"]["violations"] > 1000


@pytest.mark.parametrize("when", PERIODS)
def test_shuffled_stream_sorted_on_disk_the_same(tmp_path: Path, when: dict[str, str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    lines = _lines()
    random.Random(7).shuffle(lines)
    path = _write(tmp_path, lines)
    monkeypatch.setattr(spill, "CHUNK", 3_000)  # several chunks: the merge is exercised
    sorted_on_disk = spill.sorted_on_disk
    chunks: list[int] = []

    def spy(facts, directory, origin, chunk=spill.CHUNK):  # type: ignore[no-untyped-def]
        chunks.append(chunk)
        yield from sorted_on_disk(facts, directory, origin, 3_000)
        chunks.append(len(list(directory.glob("chunk-*"))))

    monkeypatch.setattr(spill, "sorted_on_disk", spy)
    assert _streamed(path, **when) == _listed(path, **when)
    assert chunks[-1] == 7  # 20,000 facts in chunks of 3,000, on disk


def _with_trouble(lines: list[str]) -> list[str]:
    """Re-sent facts (some next to the first, some later in the same instant), an id used
    again for a different fact (at another time and at the same instant), broken lines."""
    out = list(lines)
    rng = random.Random(11)
    for index in sorted(rng.sample(range(100, len(lines) - 100), 40), reverse=True):
        out.insert(index + 1, lines[index])  # re-sent at once
    first = json.loads(lines[500])
    changed = dict(first, actor="某人") if "actor" in first else dict(first, case="X")
    out.insert(9000, json.dumps(changed, ensure_ascii=False))  # same id, later, different
    twin = json.loads(lines[3000])
    out.insert(3001, json.dumps(dict(twin, actor="另一人"), ensure_ascii=False))  # same instant
    out.insert(200, '{"id": "broken", "type": "no.such.type", "at": "2021-01-01T09:00:00+08:00"}')
    out.insert(7000, "{not json")
    return out


def test_duplicates_conflicts_and_rejected_lines_the_same(tmp_path: Path) -> None:
    path = _write(tmp_path, _with_trouble(_lines()))
    streamed = _streamed(path, period="2021-03")
    assert streamed == _listed(path, period="2021-03")
    _, rejected, duplicates, kept = streamed
    assert duplicates == 40
    assert len(rejected) == 6  # 2 broken lines, 2 conflicting ids at each of their 2 uses
    assert kept == 20_000 - 2


def test_shuffled_with_trouble_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = _with_trouble(_lines())
    random.Random(3).shuffle(lines)
    path = _write(tmp_path, lines)
    monkeypatch.setattr(spill, "CHUNK", 5_000)
    assert _streamed(path, period="2021-Q1") == _listed(path, period="2021-Q1")


def test_a_hash_met_twice_for_two_ids_changes_nothing(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Two ids with one hash only cost a second reading of those ids. The lines shuffled:
    sorted on disk, every id is hashed (ids that rise in file order are not)."""
    hashed: list[str] = []

    def few_hashes(text: str) -> int:
        hashed.append(text)
        return len(text) % 5

    monkeypatch.setattr(stream, "hash", few_hashes, raising=False)
    lines = _lines()
    random.Random(5).shuffle(lines)
    path = _write(tmp_path, lines)
    assert _streamed(path, period="2021-03") == _listed(path, period="2021-03")
    assert len(set(hashed)) == len(lines)  # every id hashed (each line has its own)


def test_cli_evaluate_of_a_file_streams_and_reports_the_same(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path, _with_trouble(_lines()))
    calls: list[Path] = []
    real = stream.replay_file

    def spy(policy, facts, as_of, **options):  # type: ignore[no-untyped-def]
        calls.append(facts.path)
        return real(policy, facts, as_of, **options)

    monkeypatch.setattr(stream, "replay_file", spy)
    monkeypatch.setattr("policyengine.engine.evaluate.replay_file", spy)
    common = ["evaluate", "--month", "2021-03", "--format", "json"]
    assert main([*common, "--facts", str(path), "--reject-file",
                 str(tmp_path / "r1.jsonl")]) == 0
    streamed = capsys.readouterr()
    assert calls == [path]
    monkeypatch.setattr("sys.stdin", path.open(encoding="utf-8"))
    assert main([*common, "--facts", "-", "--reject-file", str(tmp_path / "r2.jsonl")]) == 0
    listed = capsys.readouterr()
    assert calls == [path]  # standard input takes the list path
    assert streamed.out.replace(str(path), "<stdin>") == listed.out
    assert streamed.err.replace("r1.jsonl", "r2.jsonl") == listed.err
    assert ((tmp_path / "r1.jsonl").read_text(encoding="utf-8").replace(str(path), "<stdin>")
            == (tmp_path / "r2.jsonl").read_text(encoding="utf-8"))
    # without --reject-file, the rejected lines stop everything, as before
    assert main(["evaluate", "--month", "2021-03", "--facts", str(path)]) == 1
    said = capsys.readouterr()
    assert "E-FACT-DUPLICATE-ID" in said.err and said.out == ""
    monkeypatch.setattr("sys.stdin", path.open(encoding="utf-8"))
    assert main(["evaluate", "--month", "2021-03", "--facts", "-"]) == 1
    assert said.err.replace(str(path), "<stdin>") == capsys.readouterr().err


def test_memory_does_not_hold_every_fact(monkeypatch: pytest.MonkeyPatch) -> None:
    """The facts alive while the replay goes stay far below the facts read: with the list
    back (every fact held to the end), this fails."""
    alive: list[int] = []
    runs = stream.Runs

    class Counting(runs):  # type: ignore[misc, valid-type]
        def __iter__(self):  # type: ignore[no-untyped-def]
            for number, run in enumerate(super().__iter__()):
                if number % 2_000 == 1_999:
                    alive.append(sum(1 for o in gc.get_objects() if type(o) is Fact))
                yield run

    monkeypatch.setattr(stream, "Runs", Counting)
    monkeypatch.setattr(stream, "_COMPACT_FROM", 1_000)  # as at 65,536 for a long history
    result, read = evaluate_file(shipped(), FactStream(generated(), shipped().schema),
                                 period="2021-04")
    assert read.kept == 20_000 and len(alive) >= 5
    assert max(alive) < 0.4 * read.kept, alive
    assert result.stats["facts"] == 20_000


def _late_delay(lines: list[str]) -> tuple[list[str], str]:
    """The stream with a delay asked and approved for a plan already delivered early, a few
    days later: it moves the commitment's date into March (a merit of March, if met early)."""
    facts = [json.loads(text) for text in lines]
    estimated = {f["case"]: f for f in facts if f["type"] == "plan.estimated"}
    delayed = {f["case"] for f in facts if f["type"].startswith("delay.")}
    candidates = [f for f in facts if f["type"] == "plan.delivered" and f["case"] in estimated
                  and f["case"] not in delayed and "2021-01-20" < f["at"][:10] < "2021-02-20"]
    # the longest from delivery to the committed date: the likeliest to sleep meanwhile
    for delivered in sorted(candidates, reverse=True, key=lambda f: date.fromisoformat(
            estimated[f["case"]]["due"]) - date.fromisoformat(f["at"][:10])):
        case = delivered["case"]
        due = estimated[case]["due"]
        if date.fromisoformat(due) - date.fromisoformat(delivered["at"][:10]) < timedelta(3):
            continue
        day = f"{due}T09:00:00+08:00"  # the morning of the committed date: in time
        asked = {"id": "late-ask", "type": "delay.requested", "at": day, "case": case,
                 "actor": delivered["actor"], "commitment": "plan", "new_due": "2021-03-15"}
        approved = dict(asked, id="late-yes", type="delay.approved",
                        at=day.replace("T10:", "T11:"), actor="刘建国")
        del approved["new_due"]
        out = [text for text, f in zip(lines, facts, strict=True) if f["at"] <= day]
        rest = lines[len(out):]
        return ([*out, json.dumps(asked, ensure_ascii=False),
                 json.dumps(approved, ensure_ascii=False), *rest], case)
    raise AssertionError("no plan delivered early in the generated stream")


def test_a_sleeping_commitment_woken_by_a_late_delay(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A delivered plan no result reads sleeps on disk (engine/dormant.py); a delay approved
    later wakes it, and it counts as if it had never slept (here: a merit of March)."""
    lines, case = _late_delay(_lines())
    path = _write(tmp_path, lines)
    monkeypatch.setattr(stream, "_COMPACT_FROM", 500)
    woken: list[str] = []
    wake = dormant.Dormant.wake

    def spy(self, duty, key, **how):  # type: ignore[no-untyped-def]
        found = wake(self, duty, key, **how)
        if found is not None:
            woken.append(f"{duty} {key}")
        return found

    monkeypatch.setattr(dormant.Dormant, "wake", spy)
    streamed = _streamed(path, period="2021-03")
    assert f"C1 {case}" in woken
    assert streamed == _listed(path, period="2021-03")
    merits = json.loads(streamed[0])["merits"]
    assert any(case in json.dumps(m, ensure_ascii=False) for m in merits)


# -- what grows with the history: first actors, the reader's case ids (D34) -------


def test_first_actors_sleep_on_disk_and_come_back_right(monkeypatch: pytest.MonkeyPatch) -> None:
    """The first actor of each case and fact type is kept in memory only for the cases an
    obligation in memory names: with the table held whole again, this fails. The results
    (who answers for each obligation, read from the first actor) stay the list path's."""
    monkeypatch.setattr(stream, "_COMPACT_FROM", 500)
    held: list[int] = []
    written: list[int] = []
    sleep = dormant.FirstActors.sleep

    def spy(self, table, awake):  # type: ignore[no-untyped-def]
        sleep(self, table, awake)
        assert all(case in awake for case, _ in table)  # only cases an obligation names
        held.append(len(table))
        written.append(self.asleep)

    monkeypatch.setattr(dormant.FirstActors, "sleep", spy)
    for when in ({"period": "2021-03"}, {"period": "2021-Q1"}):
        held.clear()
        assert _streamed(generated(), **when) == _listed(generated(), **when)
        every = len(replay(shipped(), pe.read_facts(generated(), shipped()).facts,
                           parse_time("2021-04-30T00:00:00+08:00",
                                      shipped().calendar.tz)).first_actor)
        assert len(held) >= 10 and every > 2_000
        assert min(held) < 0.1 * every and max(held) < 0.75 * every, (held, every)
        assert written[-1] >= 0.25 * every


def test_first_actor_on_disk_wins_over_a_later_one(tmp_path: Path) -> None:
    """A key slept, then made again in memory by a later fact (another actor), then slept
    again: the first actor is the one read back, for the cases asked only."""
    actors = dormant.FirstActors(tmp_path)
    table = {("c1", "decision.made"): "甲", ("c2", "decision.made"): "乙"}
    actors.sleep(table, awake={"c2"})
    assert table == {("c2", "decision.made"): "乙"}
    table[("c1", "decision.made")] = "丙"  # a later fact of c1, after it slept
    actors.sleep(table, awake=set())
    assert table == {}
    table[("c1", "decision.made")] = "丁"
    actors.wake(table, {"c1"})
    assert table == {("c1", "decision.made"): "甲"}
    actors.wake(table, {"c2"})
    assert table == {("c1", "decision.made"): "甲", ("c2", "decision.made"): "乙"}


def test_sleeping_times_come_back_exactly() -> None:
    """A commitment's times sleep as their pickled state without the zone (cheaper than a
    datetime): microseconds, the zone and a repeated wall hour (`fold`) come back; a time in
    another zone goes as it is."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    tz = ZoneInfo("America/New_York")
    plain = datetime(2021, 3, 5, 9, 30, 1, 250, tzinfo=tz)
    folded = datetime(2021, 11, 7, 1, 30, tzinfo=tz, fold=1)
    other = datetime(2021, 3, 5, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    for moment in (plain, folded, other):
        back = dormant._aware(dormant._naive(moment, tz), tz)
        assert (back, back.tzinfo, back.fold, back.isoformat(), back.utcoffset()) == (
            moment, moment.tzinfo, moment.fold, moment.isoformat(), moment.utcoffset())
    assert type(dormant._naive(plain, tz)) is bytes and type(dormant._naive(folded, tz)) is bytes
    assert dormant._naive(other, tz) is other


def test_the_readers_case_ids_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast path remembers the case ids it has checked, up to `KNOWN_CASES` per case
    rule in each of two generations: the same facts, no table above the bound."""
    from policyengine.facts import fastpath

    monkeypatch.setattr(fastpath, "KNOWN_CASES", 300)
    fastpath._BUILT.pop(shipped().schema, None)  # built again with the small bound
    try:
        assert _streamed(generated(), period="2021-03") == _listed(generated(), period="2021-03")
        path = fastpath.fast_path(shipped().schema)
        assert path is not None
        tables = {id(t): t for m in path.case_memos for t in m.tables()}
        assert all(len(t) <= 300 for t in tables.values())
        assert sum(map(len, tables.values())) > 100
    finally:
        fastpath._BUILT.pop(shipped().schema, None)


# -- report, explain and diff read a file as it is replayed -------------------------------


@pytest.mark.parametrize("command", [
    ["report", "deductions", "--month", "2021-03", "--format", "csv"],
    ["report", "deductions", "--quarter", "2021-Q1", "--format", "json"],
    ["report", "rewards", "--quarter", "2021-Q1", "--format", "text"],
    ["explain", "--person", "周文静", "--month", "2021-03"],
    ["explain", "--person", "陈经理", "--month", "2021-03", "--format", "json"],
    ["explain", "--case", "21012704", "--as-of", "2021-04-21T16:00:00+08:00", "--format",
     "json"],
    ["explain", "--case", "21010415", "--month", "2021-02"],
    ["diff", "--old", "OLD", "--new", "policies", "--month", "2021-03", "--format", "json"],
])
def test_commands_stream_a_file_and_say_the_same(
        command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Each command given a file reads it as it is replayed (engine/stream.py), with
    compactions as in a long history; standard input takes the list path: the same output,
    the same rejected lines written."""
    path = _write(tmp_path, _with_trouble(_lines()))
    if "OLD" in command:  # the policy before an edit: P6 up to a day late 30 yuan, now 20
        old = tmp_path / "old"
        shutil.copytree(Path("policies") / "customer-requirement", old)
        penalties = old / "penalties.yaml"
        text = penalties.read_text(encoding="utf-8")
        penalties.write_text(text.replace("{over: 0m, up_to: 1d, amount: 20}",
                                          "{over: 0m, up_to: 1d, amount: 30}"), encoding="utf-8")
        command = [str(old) if word == "OLD" else word for word in command]
    monkeypatch.setattr(stream, "_COMPACT_FROM", 500)
    calls: list[Path] = []
    real = stream.replay_file

    def spy(policy, facts, as_of, **options):  # type: ignore[no-untyped-def]
        calls.append(facts.path)
        return real(policy, facts, as_of, **options)

    monkeypatch.setattr("policyengine.engine.evaluate.replay_file", spy)
    monkeypatch.setattr("policyengine.engine.casefile.replay_file", spy)
    assert main([*command, "--facts", str(path), "--reject-file",
                 str(tmp_path / "r1.jsonl")]) in (0, 2)
    streamed = capsys.readouterr()
    assert calls and set(calls) == {path}
    assert len(calls) == (2 if command[0] == "diff" else 1)
    monkeypatch.setattr("sys.stdin", path.open(encoding="utf-8"))
    assert main([*command, "--facts", "-", "--reject-file", str(tmp_path / "r2.jsonl")]) in (0, 2)
    listed = capsys.readouterr()
    assert len(calls) == (2 if command[0] == "diff" else 1)  # standard input: the list path
    assert len(streamed.out) > 200
    assert streamed.out.replace(str(path), "<stdin>") == listed.out
    assert streamed.err.replace("r1.jsonl", "r2.jsonl") == listed.err
    assert ((tmp_path / "r1.jsonl").read_text(encoding="utf-8").replace(str(path), "<stdin>")
            == (tmp_path / "r2.jsonl").read_text(encoding="utf-8"))


def test_explain_case_streamed_keeps_every_obligation_of_the_case(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The case's own obligations (met ones too) stay while the others' are dropped; the
    case file is the list path's, its timeline included."""
    from policyengine.engine.casefile import case_file, streamed_case_file

    monkeypatch.setattr(stream, "_COMPACT_FROM", 300)
    as_of = parse_time("2021-04-21T16:00:00+08:00", shipped().calendar.tz)
    facts = pe.read_facts(generated(), shipped()).facts
    for case in ("21012704", "21010415", "21020117"):
        listed = case_file(shipped(), facts, case, as_of)
        streamed, read = streamed_case_file(shipped(), FactStream(generated(),
                                                                  shipped().schema),
                                            case, as_of)
        assert read.kept == 20_000
        assert any(t.status == "met" for t in listed.duties) and len(listed.facts) > 5
        assert json.dumps(streamed.to_dict("zh"), ensure_ascii=False) == json.dumps(
            listed.to_dict("zh"), ensure_ascii=False)


def test_a_commitment_sleeps_and_wakes_whole(tmp_path: Path) -> None:
    """What sleeps (marshal, or pickle when marshal cannot take a value) comes back equal:
    times, dates among the attributes, a history of words with times, dates, durations and
    nested words, a read-only message, a deadline pending a calendar year."""
    from datetime import datetime
    from decimal import Decimal
    from types import MappingProxyType

    from policyengine.engine.obligation import Obligation
    from policyengine.wording import Line, line

    policy = shipped()
    tz = policy.calendar.tz
    duty = next(d for d in policy.duties.values() if d.extension is not None)
    at = datetime(2021, 3, 1, 9, 30, 5, 120, tzinfo=tz)
    trigger = Fact("plan.estimated", at, "21030101", "陈经理",
                   {"due": date(2021, 3, 9), "note": "x"}, "f1", 7, "facts.jsonl")
    done = Fact("plan.delivered", at + timedelta(days=3), "21030101", "陈经理", id="f2",
                line=9, origin="facts.jsonl")
    sleeper = dormant.Dormant(policy, tmp_path, [])

    def made(history: list[Line] | None, pending: date | None) -> Obligation:
        made = Obligation(duty, "21030101", trigger, at, at + timedelta(days=8))
        made.fulfilled_by, made.history, made.pending = done, history, pending
        return made

    history = [line("delay.requested", at=at, due=at + timedelta(days=8), new=date(2021, 3, 20),
                    word=line("word.request"), late=timedelta(hours=5)),
               Line("word.request", MappingProxyType({}))]
    cases = [(history, None, 0), (None, None, 0), (history, date(2022, 1, 1), 1),
             ([line("x", amount=Decimal("20"))], None, 1)]
    for number, (words, pending, pickled) in enumerate(cases):
        sleeper.obligations.append(made(words, pending))
        sleeper.number()
        original = sleeper.obligations.pop()
        sleeper.ordinals.pop()
        sleeper.sleep(original, number, f"k{number}")
        assert sleeper.batch[-1][3] == pickled
        sleeper.flush()
        back = sleeper.wake(duty.id, f"k{number}")
        assert back is not None and back is not original
        for slot in ("case", "due", "opened_at", "pending", "missing_year", "trigger",
                     "fulfilled_by", "anchor", "history"):
            assert getattr(back, slot) == getattr(original, slot), slot
        assert back.due.tzinfo is tz and back.trigger.attrs == trigger.attrs  # type: ignore[union-attr]
        if words is history:
            assert [type(w.args) for w in back.history] == [type(w.args) for w in words]  # type: ignore[union-attr]
            assert [str(w) for w in back.history] == [str(w) for w in words]  # type: ignore[union-attr]
    sleeper.close()


def test_a_key_put_to_sleep_twice_is_counted_once(tmp_path: Path) -> None:
    # The newer row of a (duty, key) replaces the older one: one obligation asleep, and
    # once it is woken none, so a miss of `Latest` no longer looks on disk.
    from datetime import datetime

    from policyengine.engine.obligation import Obligation

    policy = shipped()
    tz = policy.calendar.tz
    duty = next(d for d in policy.duties.values() if d.extension is not None)
    at = datetime(2021, 3, 1, 9, 30, tzinfo=tz)
    sleeper = dormant.Dormant(policy, tmp_path, [])
    for number in range(2):
        sleeper.sleep(Obligation(duty, "21030101", None, at, at + timedelta(days=number)),
                      number, "k")
    sleeper.flush()
    assert sleeper.asleep == 1
    latest = dormant.Latest(duty.id, sleeper, {})
    woken = latest.get("k")
    assert woken is not None and woken.due == at + timedelta(days=1)  # the newer one
    assert sleeper.asleep == 0 and sleeper.woken == 1

    def no_look(*args: object, **kwargs: object) -> None:
        raise AssertionError("looked on disk with nothing asleep")

    sleeper.wake = no_look  # type: ignore[method-assign]
    assert latest.get("other") is None
    sleeper.close()
