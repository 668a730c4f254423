"""One person's read kept while facts come in cases where they answer for nothing
(service/casebook/ `CaseBook.person_stamp`), the case outcomes written in gathered batches
(`OutcomeWriter`, its cap counted from the first write waiting), the facts before the kept
outcomes read once for every-fact readers, a person's obligations gathered case by case
(`_Gathered`), and a straddling case's replay up to a moment kept while later facts come."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from service_support import make_config, sample_facts
from test_service_cases import person_view, store, window

from policyengine.engine.evaluate import evaluate
from policyengine.service.casebook.index import _Gathered
from policyengine.service.outcome_writer import OutcomeWriter, gathered
from policyengine.service.reads import resolve_as_of
from policyengine.service.state import Service
from policyengine.service.store import CaseOutcome


@contextmanager
def warmed(tmp_path: Path, facts: list[dict[str, Any]]) -> Iterator[Service]:
    """A service on a new database holding `facts`, its results warmed; closed after."""
    svc = Service(make_config(str(tmp_path / "facts.db")))
    try:
        store(svc, facts)
        svc.live.results.warm()
        yield svc
    finally:
        svc.close()


def equal_to_evaluate(svc: Service, period: str, person: str) -> None:
    live = svc.live
    parsed, moment = window(svc, period, None)
    got = live.results.person(parsed, moment, person)
    want = evaluate(live.policy, live.mirror.every_fact()[1], period=parsed, as_of=moment)
    assert person_view(got, person) == person_view(want, person)
    assert got.stats["facts"] == want.stats["facts"]
    assert got.stats["facts_after_as_of"] == want.stats["facts_after_as_of"]


def most_violations(svc: Service, parsed: Any) -> str:
    """The person with the most violations of `parsed` in one `evaluate` of every stored
    fact (not read through the service: a whole result kept would serve the person's read)."""
    whole = evaluate(svc.live.policy, svc.live.mirror.every_fact()[1], period=parsed)
    people = {v.person for v in whole.violations if v.person}
    assert people, "the sample has violations with a person in this period"
    return max(people, key=lambda p: sum(v.person == p for v in whole.violations))


def late_copy(fact: dict[str, Any], name: str) -> dict[str, Any]:
    at = datetime.fromisoformat(fact["at"]) - timedelta(hours=2)
    return {**fact, "id": name, "at": at.isoformat()}


def test_a_fact_where_the_person_answers_for_nothing_keeps_their_read(tmp_path: Path) -> None:
    facts = sample_facts()
    with warmed(tmp_path, facts) as svc:
        results = svc.live.results
        parsed, _ = window(svc, "2026-10", None)
        person = most_violations(svc, parsed)
        equal_to_evaluate(svc, "2026-10", person)
        book = results.book
        assert book is not None
        mine = {case for case, keys in book._entries.items()
                if any(p == person for p, _ in keys)}
        other = next(f for f in facts if f.get("case") and f["case"] not in mine
                     and f["case"] not in book.pending and f["at"][:7] == "2026-10"
                     and not any(f["case"] in m.straddling for m in book._moments.values()))
        misses, hits = results.misses, results.hits
        store(svc, [late_copy(other, "late-other")])
        equal_to_evaluate(svc, "2026-10", person)   # the facts counted again, nothing else
        assert (results.misses, results.hits) == (misses, hits + 1)

        # a case of theirs replayed again into equal obligations: still kept
        ours = min(c for c in mine if c not in book.pending
                   and not any(c in m.straddling for m in book._moments.values()))
        book.dirty.add(ours)
        replays = book.replays
        book.settle()
        assert book.replays == replays + 1 and book.whole[ours].obligations
        misses, hits = results.misses, results.hits
        equal_to_evaluate(svc, "2026-10", person)
        assert (results.misses, results.hits) == (misses, hits + 1)

        # the trigger of one of their obligations, in a new case: a new duty of theirs
        trigger = next(o.trigger for name in book._entries[ours] if name[0] == person
                       for _, _, o in (book.open_index[person][ours] if name[1] is None
                                       else book.due_index[person][name[1]][ours])
                       if o.trigger is not None and o.trigger.case == ours)
        new_case = f"{ours[:-2]}99"
        assert new_case not in book.cases
        fact = {**next(f for f in facts if f["id"] == trigger.id), "id": "new-case",
                "case": new_case}
        store(svc, [fact])
        misses = results.misses
        equal_to_evaluate(svc, "2026-10", person)   # made again
        assert any(name[0] == person for name in book._entries[new_case])
        assert results.misses == misses + 1

        role = next(f for f in facts if f["type"] == "role.assigned")
        store(svc, [{**role, "id": "role-again", "at": "2026-10-12T09:00:00+08:00"}])
        misses = results.misses
        equal_to_evaluate(svc, "2026-10", person)   # every case filed again: made again
        assert results.misses == misses + 1


def outcome(case: str, part: bytes) -> CaseOutcome:
    return CaseOutcome(case, None, None, False, part, (), ())


def test_writes_handed_over_together_are_written_as_one() -> None:
    a1, b1, a2, c1 = outcome("A", b"1"), outcome("B", b"1"), outcome("A", b"2"), outcome("C", b"1")
    assert gathered([("k", 1, [a1, b1], False), ("k", 2, [a2], False)]) == \
        ("k", 2, [b1, a2], False)
    # from the last write that drops every row on: what came before it is dropped too
    assert gathered([("k", 1, [a1, b1], False), ("k", 2, [c1], True),
                      ("k", 3, [a2], False)]) == ("k", 3, [c1, a2], True)


def test_every_fact_reads_the_facts_before_the_kept_outcomes_once(tmp_path: Path) -> None:
    facts = sample_facts()
    with warmed(tmp_path, facts) as svc:
        want = svc.live.mirror.every_fact()[1]
    svc = Service(make_config(str(tmp_path / "facts.db")))  # the same database, restarted
    try:
        svc.live.results.warm()
        mirror = svc.live.mirror
        assert mirror.base and len(mirror) == 0   # restored: no fact read
        reads: list[int] = []
        real = svc.store.read_since

        def counted(seq: int, limit: int = 20_000) -> list[tuple[int, str]]:
            reads.append(seq)
            return real(seq, limit)

        svc.store.read_since = counted  # type: ignore[method-assign]
        assert [f.content() for f in mirror.every_fact()[1]] == [f.content() for f in want]
        assert reads
        reads.clear()
        store(svc, [late_copy(facts[5], "after-restart")])
        mirror.refresh()
        count, every = mirror.every_fact()
        assert count == 1 and len(every) == len(want) + 1
        assert reads and min(reads) >= mirror.base   # the new fact's read only
    finally:
        svc.close()


def test_a_write_handed_over_after_one_failed_is_dropped_until_everything_is_written() -> None:
    # The book looks at `failed`, then builds its rows; a write that fails meanwhile must not
    # be covered by this later one's stamp (after a restart the lost rows would be trusted).
    written: list[tuple[int, list[str], bool]] = []

    class Store:
        def outcomes_write(self, key: str, seq: int, rows: list[CaseOutcome], *,
                           reset: bool) -> bool:
            written.append((seq, [r.case for r in rows], reset))
            return True

    def row(case: str) -> CaseOutcome:
        return CaseOutcome(case, None, None, False, b"", (), ())

    writer = OutcomeWriter(Store())  # type: ignore[arg-type]
    writer.failed = True                                # set by the writer thread meanwhile
    writer.put("k", 11, [row("X")], reset=False)
    writer.flush()
    assert written == []                                # not covering the lost rows
    writer.failed = False                               # the book's next hand-over: all
    writer.put("k", 12, [row("A"), row("B"), row("X")], reset=True)
    writer.flush()
    assert written == [(12, ["A", "B", "X"], True)]


def test_the_writers_cap_counts_from_the_first_write_waiting() -> None:
    # Writes handed over while the writer is busy writing have waited since then: the cap
    # (at most `_MOST` seconds) counts from that, not from when the writer looks again.
    written: list[tuple[int, float]] = []
    began = threading.Event()

    class Store:
        def outcomes_write(self, key: str, seq: int, rows: list[CaseOutcome], *,
                           reset: bool) -> bool:
            began.set()
            if seq == 1:
                time.sleep(1.0)   # a slow first write (the big one, every row)
            written.append((seq, time.monotonic()))
            return True

    writer = OutcomeWriter(Store())  # type: ignore[arg-type]
    writer._IDLE = 30.0   # facts keep coming: only the cap writes
    writer._MOST = 0.5
    writer.put("k", 1, [outcome("A", b"1")], reset=True)   # written at once
    assert began.wait(5)
    handed = time.monotonic()
    writer.put("k", 2, [outcome("B", b"1")], reset=False)  # waits while 1 is written
    deadline = time.monotonic() + 10
    while len(written) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert [seq for seq, _ in written] == [1, 2]
    # 1 ends ~1.0 s after `handed`, past the cap: 2 is written right after it (counted
    # from waking, it waited another 0.5 s)
    assert written[1][1] - written[0][1] < 0.3
    assert written[1][1] - handed < 1.4


def test_a_persons_gathered_obligations_follow_each_fact(tmp_path: Path) -> None:
    # `CaseBook._gather` keeps a person's obligations from the index per period and moment
    # and brings them up to date for the cases filed since: after each fact the read equals
    # `evaluate`, and what was gathered equals a gathering from scratch.
    facts = sample_facts()
    with warmed(tmp_path, facts[:-40]) as svc:
        results = svc.live.results
        parsed, _ = window(svc, "2026-10", None)
        person = most_violations(svc, parsed)
        book = results.book
        assert book is not None
        equal_to_evaluate(svc, "2026-10", person)
        again = book.gathered_again
        for number, fact in enumerate(facts[-40:]):
            store(svc, [fact] if number % 3 else [fact, late_copy(fact, f"late-{number}")])
            equal_to_evaluate(svc, "2026-10", person)
            (key,) = [k for k in book._gathered if k[0] == person]
            moment = book._moments[key[3]]
            kept = book._gather(person, ["2026-10"], key[1], key[2], key[3], moment)
            fresh = _Gathered(moment.serial, len(book._filed))
            names = {c for by in book.due_index.get(person, {}).values() for c in by}
            names.update(book.open_index.get(person, ()))
            fresh.update(book, person, ["2026-10"], key[1], key[2], key[3],
                         moment.straddling, names)
            assert kept.entries == fresh.entries
            assert kept.first_actor == fresh.first_actor
            assert kept.case_tier == fresh.case_tier
        assert book.gathered_again == again   # brought up to date, never gathered again


def test_a_case_straddling_a_read_keeps_its_replay_up_to_it_when_later_facts_come(
        tmp_path: Path) -> None:
    # A read of a past month replays the cases with facts on both sides of its as-of up to
    # it. A new fact dated after that as-of leaves that replay as it was: kept (no replay up
    # to the as-of again); one dated before it does not. Every read equals `evaluate`.
    facts = sample_facts()
    with warmed(tmp_path, facts) as svc:
        results = svc.live.results
        spans: dict[str, list[datetime]] = {}
        for f in facts:
            if f.get("case"):
                spans.setdefault(f["case"], []).append(datetime.fromisoformat(f["at"]))
        for month in sorted({f["at"][:7] for f in facts}):   # one with a case going on past it
            parsed, _ = window(svc, month, None)
            moment_at = resolve_as_of(parsed, None, svc.live.policy)
            assert moment_at is not None
            if any(min(t) <= moment_at < max(t) for t in spans.values()):
                break
        person = most_violations(svc, parsed)
        equal_to_evaluate(svc, month, person)
        book = results.book
        assert book is not None and moment_at is not None
        moment = book._moments[moment_at]
        assert moment.straddling, "the sample month has cases going on past its end"
        case = min(moment.straddling)
        later = max((f for f in facts if f.get("case") == case),
                    key=lambda f: f["at"])
        assert datetime.fromisoformat(later["at"]) > moment_at
        kept = moment.parts[case]
        up_to = book.replays_up_to
        store(svc, [{**later, "id": "later-again"}])   # after the as-of: kept
        equal_to_evaluate(svc, month, person)
        assert book.replays_up_to == up_to and book._moments[moment_at].parts[case] is kept
        first = min((f for f in facts if f.get("case") == case), key=lambda f: f["at"])
        store(svc, [late_copy(first, "earlier-again")])   # before it: replayed up to it
        equal_to_evaluate(svc, month, person)
        assert book.replays_up_to > up_to
        assert book._moments[moment_at].parts.get(case) is not kept
