"""What the case book holds (`BookState`): the stored facts by case, each case's whole
replay, who answers in each case, the moments kept for reads at an as-of, and the counters
a person's read is stamped with. The modules beside this one each add one job on them."""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime
from typing import TYPE_CHECKING, Any

from policyengine.engine import cases
from policyengine.engine.cases import Part
from policyengine.engine.compiled import CompiledPolicy
from policyengine.engine.obligation import Obligation
from policyengine.facts.schema import Fact
from policyengine.service.outcome_writer import OutcomeWriter
from policyengine.service.outcomes import PartCodec, outcome_key
from policyengine.service.store import Store

if TYPE_CHECKING:
    from policyengine.service.casebook.index import _Gathered

# A replay "of everything" stands at this moment: later than any fact.
_END = cases.END
# An obligation filed for a person: (its order key, its place in the case's part, itself).
_Indexed = tuple[tuple[object, ...], int, Obligation]


class _Moment:
    """What a read at one as-of needs besides the cases' whole replays: the shared part
    then, and the cases with facts on both sides of it, replayed up to it."""

    def __init__(self, straddling: set[str], serial: int):
        self.serial = serial        # a new number each time a moment is made (cache stamps)
        self.changes = 0            # straddling cases changed since (cache stamps)
        self.shared: Part | None = None
        self.straddling = straddling
        self.parts: dict[str, Part] = {}
        # name (None: the shared part) -> (the part, in the index, the roles, the pending
        # obligations, person -> theirs): CaseBook._attributed
        self.attributed: dict[str | None, tuple[Part, bool, Any, list[_Indexed],
                                                dict[str | None, list[_Indexed]]]] = {}


class BookState:
    """What the case book holds, for the layers that make `CaseBook` (casebook/__init__.py)."""

    def __init__(self, policy: CompiledPolicy, store: Store | None = None):
        self.policy = policy
        # Kept outcomes (service/outcomes.py): written after each settle; read back lazily
        # after a restart ("restored": the facts up to `base` and the cases' parts stay in
        # the database until a read or a new fact needs them).
        self.store = store
        self.key = outcome_key(policy) if store is not None else None
        self.codec = PartCodec(policy)
        self.restored = False
        self.base = 0                            # facts up to this seq: in the database
        self.base_total = 0                      # how many facts that is
        self.seq = 0                             # the last fact's seq the book holds
        self._stamped: tuple[str, int] | None = None
        self._base_counts: OrderedDict[datetime, int] = OrderedDict()
        self._people_loaded: set[tuple[str, str]] = set()
        self._to_write: set[str] = set()
        self._writer = OutcomeWriter(store)
        self.cases: dict[str, list[Fact]] = {}
        self.roles: list[Fact] = []
        self.shared: list[Fact] = []
        self.times: list[datetime] = []          # every fact's time, sorted: counts to as-of
        self.first: Fact | None = None           # the first fact of all (recurring duties)
        self.whole: dict[str, Part] = {}         # each case's replay of all its facts
        self.dirty: set[str] = set()
        # Of a dirty case, the earliest time of what made it so (its new facts, an anchor);
        # none known: from the start. A moment before that keeps the case's replay up to it.
        self.dirty_from: dict[str, datetime] = {}
        self.roles_changed = False
        self.broken = False                      # a case's replay failed: evaluate instead
        # Who answers for what, found with the role holders of all time: person -> month of
        # the deadline -> case -> (order key, place in the part, obligation), for those
        # fulfilled; person -> case -> the same, for those not fulfilled (open or missed).
        self.due_index: dict[str | None, dict[str, dict[str, list[_Indexed]]]] = {}
        self.open_index: dict[str | None, dict[str, list[_Indexed]]] = {}
        self._entries: dict[str, list[tuple[str | None, str | None]]] = {}
        self.pending: set[str] = set()           # cases with obligations pending calendar data
        self.last_role_at: datetime | None = None
        self._timeline: object = None
        self._moments: OrderedDict[datetime, _Moment] = OrderedDict()
        self._made = 0          # moments made (their serial numbers)
        # What one person's read depends on, as counters (`person_stamp`): `generation`
        # moves when what every person's read merges changes (the shared part, the roles,
        # the cases pending calendar data; a moment's straddling cases: its `changes`);
        # `person_gens[p, month]` when a case where `p` answers for something due in
        # `month` (None: not fulfilled) is filed again.
        self.generation = 0
        self.person_gens: dict[tuple[str | None, str | None], int] = {}
        self.tied = False       # the last person_result had a tie across cases (above)
        # The cases filed (`_index`), in order: a person's gathered obligations (`_Gathered`)
        # are brought up to date from where they last looked. Cleared with them when long.
        self._filed: list[str] = []
        self._gathered: OrderedDict[tuple[str, datetime, datetime, datetime], _Gathered] = \
            OrderedDict()
        self.gathered_again = 0  # gatherings made from the whole index (tests)
        self.replays = 0        # whole case replays made (tests)
        self.replays_up_to = 0  # replays of a case up to an as-of (straddling cases)
        # Facts deadlines run from (anchors), by (join attribute, value); the cases with a
        # fact of that value; each case's reach: its last fact's time or a later anchor's.
        self.joins = cases.anchor_joins(policy)
        self.join_names = frozenset(j for names in self.joins.values() for j in names)
        self.anchors: dict[tuple[str, object], list[Fact]] = {}
        self.case_anchors: list[Fact] = []       # anchors with a case: the shared part's
        self.joined: dict[tuple[str, object], set[str]] = {}
        self.joins_of: dict[str, set[tuple[str, object]]] = {}  # the inverse of `joined`
        self.reach: dict[str, datetime] = {}
