"""The case book: the stored facts by case, each case's whole replay, who answers in each
case, and one person's month merged from their cases only (`CaseBook`, used by
service/reads.py `Results`).

A new fact replays only its case again; a role assignment replays every case; a fact
without a case, only the shared part. One person's month merges only the cases where they
answer for something, gathered from the index once per period and as-of and then brought up
to date for the cases filed since (`_Gathered`). Each case's outcome is also kept in the
database (service/outcomes.py, written by service/outcome_writer.py after the replay): a
restart reads the facts of no case and, as reads need them, a person's cases' outcomes and
a changed case's facts ("restored"), not every fact.

`CaseBook` is one object (one set of attributes: `BookState`'s) whose methods come in
layers, a module each, each subclassing the one before and calling only what it and the
layers before it define:

- state.py: what the book holds, each attribute explained once (`BookState`);
- index.py: who answers in each case, by person and month, and one person's obligations
  for a period gathered from it (`IndexedBook`, `_Gathered`);
- restored.py: after a restart, the kept outcomes and facts read as reads need them
  (`RestoredBook`);
- replays.py: new facts filed by case and the changed cases replayed, filed and kept
  (`ReplayingBook`);
- moments.py: reads at one as-of, and everything merged at it (`MomentBook`);
- person.py: one person's month merged from their cases only (`PersonBook`).
"""

from policyengine.service.casebook.person import PersonBook


class CaseBook(PersonBook):
    """The stored facts by case, each case's whole replay, and who answers in each case.

    `add` takes new facts; the replays are brought up to date at the next read (`settle`):
    only the cases that got a fact are replayed again, unless a role assignment came (every
    case, since a `by` check reads the holder at a fact's time)."""


__all__ = ["CaseBook"]
