"""`evaluate --engine dask`: the replay split by case over a Dask cluster.

The same split as `--workers N` (engine/workers.py, whose docstring says what goes where),
with the partitions on Dask workers instead of forked processes:

1. this process (the client) reads the file and sorts its lines by case hash
   (engine/sharing.py), then sends each partition its lines: its cases, every role
   assignment and every fact a deadline runs from, and for the first partition the facts
   without a case;
2. each partition decodes and checks its lines on a worker, which keeps the facts and sends
   back what the reader says of them and its first fact;
3. each partition replays its facts there (the first one opens the recurring duties from
   the first fact of all) and sends back only the obligations the results read;
4. the client merges the partitions and counts per person and month (`evaluate_replay`).

Without a scheduler address a `distributed.LocalCluster` of worker processes is started
for the run. Dask is an optional extra (`pip install 'policyengine[dask]'`): this module
imports it only when asked to run.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import pickle
from contextlib import AbstractContextManager, ExitStack
from datetime import datetime
from pathlib import Path
from typing import Any

from policyengine.engine.compiled import CompiledPolicy, compile_policy
from policyengine.engine.sharing import (
    FileLines,
    Lines,
    Share,
    file_lines,
    ids_agree,
    read_share,
    share_of,
    sort_lines,
)
from policyengine.engine.workers import (
    FileSplit,
    Part,
    can_split,
    line_key,
    merge,
    replay_share,
)
from policyengine.errors import UsageError
from policyengine.facts.schema import Fact
from policyengine.gcpause import gc_paused
from policyengine.periods import Period

INSTALL = "pip install 'policyengine[dask]'"


def dask_installed() -> bool:
    return importlib.util.find_spec("distributed") is not None


def require_dask() -> None:
    """A usage error, saying how to install it, when Dask is not installed."""
    if not dask_installed():
        raise UsageError("--engine dask needs Dask, an optional extra that is not installed: "
                         f"{INSTALL}")


def split_on_dask(policy: CompiledPolicy, path: Path, name: str, as_of: datetime,
                  period: Period | None, *, scheduler: str | None = None,
                  workers: int | None = None, partitions: int | None = None) -> FileSplit | None:
    """The merged replay of a JSON Lines file and what the reader says of it, computed on
    Dask: on the cluster at `scheduler`, else on a local cluster of `workers` processes
    (default: one per CPU). `partitions` defaults to one per worker thread. None when the
    file or policy cannot be split (engine/workers.py `split_file`): read it in one process."""
    require_dask()
    if not can_split(policy, 2):
        return None
    lines = file_lines(path)
    if lines is None:
        return None
    with ExitStack() as stack:
        client = stack.enter_context(_client(scheduler, workers))
        count = partitions or max(sum(client.nthreads().values()), 1)
        try:
            return _run(client, policy, lines, name, as_of, period, count)
        except Exception:
            # An error in a partition (a fact before the calendar's first year, ...): one
            # process says it as it always does, the first error in time.
            return None
    return None  # pragma: no cover (mypy: ExitStack may swallow an exception)


def _client(scheduler: str | None, workers: int | None) -> AbstractContextManager[Any]:
    distributed: Any = importlib.import_module("distributed")
    Client, LocalCluster = distributed.Client, distributed.LocalCluster
    if scheduler is not None:
        try:
            client: AbstractContextManager[Any] = Client(scheduler, timeout="20s")
            return client
        except (OSError, TimeoutError, ValueError) as exc:
            raise UsageError(f"--scheduler {scheduler}: cannot reach a Dask scheduler there "
                             f"({exc})") from None
    # The scheduler always serves HTTP (None means its default port, 8787, and a warning on
    # stderr when another cluster holds it): a free port on loopback, said by no one.
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                           dashboard_address="127.0.0.1:0", silence_logs=logging.CRITICAL)
    return _LocalClient(cluster, Client(cluster))


class _LocalClient:
    """A client and its local cluster, both closed after the run."""

    def __init__(self, cluster: Any, client: Any):
        self.cluster, self.client = cluster, client

    def __enter__(self) -> Any:
        return self.client

    def __exit__(self, *_: object) -> None:
        self.client.close()
        self.cluster.close()


def _run(client: Any, policy: CompiledPolicy, lines: FileLines, name: str, as_of: datetime,
         period: Period | None, count: int) -> FileSplit | None:
    anchors = policy.anchor_types
    sorted_lines = sort_lines(lines.raw, 0, len(lines.raw), count, anchors)
    if sorted_lines is None or not ids_agree(lines.raw, [sorted_lines], count, anchors):
        return None
    codes = bytes(sorted_lines[0])
    model = pickle.dumps(policy.model)
    [model_on_workers] = client.scatter([model], broadcast=True)
    inputs = client.scatter([share_of(lines, codes, k) for k in range(count)])
    shares = client.map(_read, [model_on_workers] * count, [name] * count, inputs,
                        [as_of] * count, pure=False)
    heads = client.gather(client.map(_head, shares, pure=False))
    firsts = [f for f, _ in heads if f is not None]
    if not firsts:
        return None
    first = min(firsts, key=line_key)
    parts: list[Part] = client.gather(client.map(
        _replay, [model_on_workers] * count, shares, range(count),
        [first] + [None] * (count - 1), [as_of] * count, [period] * count,
        pure=False))
    summary = heads[0][1].joined([s for _, s in heads])
    return FileSplit(merge(policy, as_of, parts, summary.seen), summary)


# -- on the workers ------------------------------------------------------------------------

_COMPILED: dict[str, CompiledPolicy] = {}


def _policy(model: bytes) -> CompiledPolicy:
    """The policy a worker compiles once per run's model (a few milliseconds)."""
    digest = hashlib.sha256(model).hexdigest()
    policy = _COMPILED.get(digest)
    if policy is None:
        policy = _COMPILED[digest] = compile_policy(pickle.loads(model))
    return policy


def _read(model: bytes, name: str, lines: Lines, as_of: datetime) -> Share:
    with gc_paused():  # millions of objects, no cycles (gcpause.py)
        return read_share(_policy(model).schema, name, lines, as_of)


def _head(share: Share) -> tuple[Fact | None, Any]:
    return share.first, share.summary


def _replay(model: bytes, share: Share, k: int, first: Fact | None, as_of: datetime,
            period: Period | None) -> Part:
    from policyengine.engine.evaluate import triage

    policy = _policy(model)
    sort_out = triage(policy, period, as_of)
    with gc_paused():
        return replay_share(policy, share, as_of,
                            lambda o: o.missing_year is not None or sort_out(o) is not None,
                            first, k)
