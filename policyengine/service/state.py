"""What a running service holds: its settings, the policy in force, the store, the reads.

The policy, the in-memory facts and the cached results change together (an admin reload
swaps all three at once); the store stays.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from policyengine.engine.compiled import CompiledPolicy, compile_policy
from policyengine.errors import Diagnostic, FactError, Location
from policyengine.policy.loader import load_policy_files
from policyengine.service.auth import TokenSet
from policyengine.service.mirror import FactMirror
from policyengine.service.reads import Results
from policyengine.service.rows import RowCache
from policyengine.service.store import Store, open_store
from policyengine.service.warmer import Warmer
from policyengine.service.webhooks import Webhooks, WebhookSettings
from policyengine.wording import Glossary

log = logging.getLogger("policyengine.service")

DEFAULT_DB = "policyengine.db"
DEFAULT_MAX_BODY = 8 * 1024 * 1024
DEFAULT_MAX_BATCH = 10_000


@dataclass(frozen=True)
class ConnectionLimits:
    """How long a request may take to arrive, and how many connections may be open (see
    protocol.py and docs/decisions.md for why these figures)."""

    header_timeout: float = 10.0   # seconds for the request line and headers
    body_timeout: float = 60.0     # seconds for the body, from the end of the headers
    max_connections: int = 4000    # open connections; more are answered 503 and closed


@dataclass(frozen=True)
class ServiceConfig:
    policy_path: Path = Path("policies")
    pack: str | None = None              # a pack of the folder of packs at policy_path (D22)
    database: str = DEFAULT_DB           # a file path, sqlite:///FILE or postgresql://...
    tokens: TokenSet = field(default_factory=lambda: TokenSet(()))
    max_body_bytes: int = DEFAULT_MAX_BODY
    max_batch: int = DEFAULT_MAX_BATCH
    cache_size: int = 16
    connections: ConnectionLimits = ConnectionLimits()
    webhooks: WebhookSettings = field(default_factory=WebhookSettings)
    # The wall clock, read at the edge only (a page of a month not yet ended stands at now):
    # tests give a fixed one.
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))


@dataclass(frozen=True)
class Live:
    """The policy in force and the reads made under it."""

    policy: CompiledPolicy
    mirror: FactMirror
    results: Results
    loaded_at: datetime
    rows: RowCache   # rendered explanations kept between reads


class Service:
    def __init__(self, config: ServiceConfig, store: Store | None = None):
        self.config = config
        # The policy first: a broken policy must not leave a new database file behind.
        policy = compile_policy(load_policy_files(config.policy_path, config.pack))
        self.store = store if store is not None else open_store(config.database)
        self.policy_lock = threading.Lock()
        self.live = self._make(policy)
        self.webhooks = Webhooks(self, config.webhooks)
        # Started by `serve` (app.py, warm=True): reads the stored facts and replays the
        # changed cases at start-up and whenever ingest pauses.
        self.warmer = Warmer(self._warm)

    def _make(self, policy: CompiledPolicy) -> Live:
        mirror = FactMirror(self.store, policy.schema)
        return Live(policy, mirror, Results(policy, mirror, self.config.cache_size),
                    datetime.now(UTC), RowCache(Glossary.of(policy.model)))

    def reload_policy(self) -> Live:
        """Load the policy files again; refused (FactError) if a stored fact fails it.

        Raises PolicyError when the files are not a valid policy; the old one stays.
        """
        with self.policy_lock:
            live = self._make(compile_policy(load_policy_files(self.config.policy_path,
                                                               self.config.pack)))
            live.mirror.refresh()
            if live.mirror.unreadable:
                raise FactError(
                    Diagnostic(Location(f"stored fact {u.id} (seq {u.seq})"), "E-FACT-STORED",
                               str(reason), reason.zh)
                    for u in live.mirror.unreadable[:200] for reason in u.reasons)
            self.live = live
            return live

    def _warm(self) -> None:
        live = self.live  # (after a policy reload: the new one's)
        live.results.warm()
        if not self.warmer.runs:
            log.info("read %d stored facts into memory", len(live.mirror))

    def close(self) -> None:
        self.warmer.stop()
        self.webhooks.stop()
        self.live.results.flush()  # the case outcomes handed to the writer
        self.store.close()
