"""`evaluate --engine dask`: the replay split by case over a Dask cluster.

The same split as `--workers N` (engine/workers.py, whose docstring says what goes where),
with the partitions on Dask workers instead of forked processes:

1. the file is cut into byte ranges, one per partition, and each range read and sorted
   apart (engine/sharing.py `map_range`: each line gets its partition by case hash) and cut
   into one piece per partition: for a local cluster by forked processes of the client
   while it starts the cluster, each writing its pieces into the run's folder; for workers
   at `--scheduler` that see the file (`--shared-files`) by a task per range on the workers,
   whose pieces Dask moves to their partitions' workers (a shuffle). The client only checks
   the file as a whole from what each range says (its first line is JSON, every line of
   an id goes to the same partitions): no process reads or sorts the whole file. Workers
   that do not see the file get their lines from the client, which reads the file a block
   at a time, twice (`sort_file`, then `shares_by_block`);
2. each partition gets its lines: its cases, every role assignment and every fact a
   deadline runs from, and for the first partition the facts without a case. Every task
   of a partition runs on one worker;
3. each partition decodes and checks its lines on a worker, which keeps the facts and sends
   back what the reader says of them and its first fact;
4. each partition replays its facts there (the first one opens the recurring duties from
   the first fact of all) and sends back only the obligations the results read;
5. the client merges the partitions and counts per person and month (`evaluate_replay`).

Without a scheduler address a `distributed.LocalCluster` of worker processes is started
for the run, its scratch space in a temporary folder of the run (policyengine/scratch.py),
removed after. Dask is an optional extra (`pip install 'policyengine[dask]'`): this module
imports it only when asked to run.
"""

from __future__ import annotations

import gc
import hashlib
import importlib.util
import logging
import multiprocessing
import multiprocessing.forkserver as forkserver
import pickle
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack
from datetime import datetime
from pathlib import Path
from typing import Any

from policyengine import scratch
from policyengine.engine.compiled import CompiledPolicy, compile_policy
from policyengine.engine.sharing import (
    Lines,
    Mapped,
    Piece,
    Share,
    Status,
    byte_ranges,
    formed,
    joined_lines,
    joined_pieces,
    map_range,
    one_code_per_id,
    piece_of,
    read_share,
    shares_by_block,
    sort_file,
    stable_hash,
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

# Where there is fork, the ranges are sorted by forked processes (`_MapAside`) and local
# workers share this process's hash seed (`_run_mapped`).
_FORKED = "forkserver" in multiprocessing.get_all_start_methods()


def _start_method() -> str:
    """How the local workers of a run starting now are made (`_local_cluster`). Forked
    from this process, which has imported Dask and the engine already, a worker starts in
    about 0.02 s of CPU, and no server process imports them again (a forkserver's start
    cost 0.5-0.7 s of CPU while the ranges were sorted, on the two cores the sorters
    needed). Forked only where that is safe: on Linux (macOS forks badly from a process
    with threads), before Python 3.12 (which warns of a fork in a process with threads),
    and while this process runs no thread but its main one (the command line, a script):
    a host's own threads (a web server's, a notebook's) could hold a lock a forked worker
    would wait on forever. Elsewhere a forkserver that imported them once, else spawn.
    Asked once per run, before the cluster's own thread starts; a worker Dask restarts
    later is spawned (the setting holds only while the cluster is made)."""
    methods = multiprocessing.get_all_start_methods()
    if (sys.platform.startswith("linux") and "fork" in methods
            and sys.version_info < (3, 12) and threading.active_count() == 1):
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


# What a local worker imports as it starts, while the ranges are sorted aside (a worker
# forked from the command has them already): the first task then finds the engine loaded.
# Dask also calls this module's `dask_setup` in each worker.
PRELOAD = ["policyengine.engine.cluster", "policyengine.engine.evaluate"]

# Where the last run's time went, in seconds (benchmarks/split_benchmark.py --phases):
# the client's wall time per phase, and the workers' CPU time per task summed.
PHASES: dict[str, float] = {}


def dask_installed() -> bool:
    return importlib.util.find_spec("distributed") is not None


def require_dask() -> None:
    """A usage error, saying how to install it, when Dask is not installed."""
    if not dask_installed():
        raise UsageError("--engine dask needs Dask, an optional extra that is not installed: "
                         f"{INSTALL}")


def split_on_dask(policy: CompiledPolicy, path: Path, name: str, as_of: datetime,
                  period: Period | None, *, scheduler: str | None = None,
                  workers: int | None = None, partitions: int | None = None,
                  shared_files: bool = False) -> FileSplit | None:
    """The merged replay of a JSON Lines file and what the reader says of it, computed on
    Dask: on the cluster at `scheduler`, else on a local cluster of `workers` processes
    (default: one per CPU). `partitions` defaults to one per worker thread. The workers of
    a local cluster read their lines from the file; those at `scheduler` too when
    `shared_files` (they see the file at the same path), else the client sends them. None
    when the file or policy cannot be split (engine/workers.py `split_file`): read it in
    one process."""
    require_dask()
    if not can_split(policy, 2):
        return None
    PHASES.clear()
    path = path.resolve()
    with ExitStack() as stack:
        aside: _MapAside | None = None
        ready: tuple[list[str], Any] | None = None
        if scheduler is None:
            # (Dask's count of the CPUs: it also reads a container's CPU quota)
            cores: int = importlib.import_module("dask.system").CPU_COUNT
            count = partitions or workers or cores
            # The folder of the run: Dask's scratch space, and the pieces of the ranges
            # mapped aside; removed when the cluster closes.
            folder = Path(tempfile.mkdtemp(prefix=scratch.prefix() + "dask-"))
            try:
                # The ranges are read and sorted by forked processes (before any thread is
                # started) while this one starts the cluster.
                aside = (_MapAside(path, count, policy.anchor_types, folder, cores) if _FORKED
                         else None)
                method = _start_method()
                _forkserver_started(method)
                starting = _LocalStart(workers, folder, method)
            except BaseException:
                if aside is not None:
                    aside.ended()
                shutil.rmtree(folder, ignore_errors=True)
                raise
            stack.callback(starting.close_later)
            try:
                client = _timed("client: wait for the local cluster", starting.client)
                # (the cluster is up well before the ranges are sorted: the workers get the
                # policy and the partitions their places meanwhile)
                if aside is not None:
                    ready = _timed("client: the policy sent to the workers", _ready, client,
                                   policy, count)
            except BaseException:
                if aside is not None:
                    aside.ended()
                raise
            if aside is not None:
                stack.callback(aside.end)  # (before the cluster closes: callbacks run last first)
            statuses = None if aside is None else _timed(
                "client: wait for the ranges read and sorted aside", aside.statuses)
        else:
            client = stack.enter_context(_remote(scheduler))
            count = partitions or max(sum(client.nthreads().values()), 1)
        try:
            if aside is not None and ready is not None:
                if statuses is None:
                    return None
                return _run_aside(client, policy, aside, statuses, name, as_of, period, ready)
            if scheduler is None or shared_files:  # the workers map a byte range each
                return _run_mapped(client, policy, path, name, as_of, period, count,
                                   forked=scheduler is None and _FORKED)
            codes = _timed("client: sort the file", sort_file, path, count,
                           policy.anchor_types)
            if codes is None:
                return None
            return _run(client, policy, _sent(client, policy, path, bytes(codes), name, as_of,
                                              _places(client, count)), as_of, period)
        except Exception:
            # An error in a partition (a fact before the calendar's first year, ...): one
            # process says it as it always does, the first error in time.
            return None
    return None  # pragma: no cover (mypy: ExitStack may swallow an exception)


class _MapAside:
    """The file's byte ranges (one per partition) read and sorted by forked processes, no
    more than there are cores, each taking every so many ranges (engine/sharing.py
    `map_range`): each writes every partition's piece of a range into the run's folder (a
    local worker reads its pieces from there) and sends back what the check of the whole
    file needs. Forked: their ids' hashes share this process's seed."""

    def __init__(self, path: Path, count: int, anchor_types: frozenset[str], folder: Path,
                 cores: int):
        self.folder, self.count = folder, count
        ranges = byte_ranges(path.stat().st_size, [1.0] * count)
        context = multiprocessing.get_context("fork")
        self._links: list[Any] = []
        self._children: list[Any] = []
        every = max(1, min(count, cores))
        for first in range(every):
            here, there = context.Pipe(duplex=False)
            child = context.Process(target=_map_aside, daemon=True, args=(
                there, path, list(range(first, count, every)), ranges, anchor_types, folder))
            child.start()
            there.close()
            self._links.append(here)
            self._children.append(child)

    def statuses(self) -> list[Status] | None:
        """Each range's status once its pieces are written; None if one was not mapped.
        The processes are not waited for here (`end`): one still ending (freeing what it
        read) held the next one's status back, and the partitions' reads, ~0.05 s each."""
        got: list[Status | None] = [None] * self.count
        every = len(self._links)
        for first, link in enumerate(self._links):
            try:
                got[first::every] = link.recv()
            except (EOFError, OSError, ValueError):  # it died: one process reads the file
                pass
            finally:
                link.close()
        done = [s for s in got if s is not None]
        return done if len(done) == len(got) else None

    def end(self) -> None:
        """Wait for the processes to end. Every pipe is closed first: a process still
        sending its status (when `statuses` was cut short) then meets a broken pipe and
        ends, where it would wait for a reader for ever."""
        for link in self._links:
            link.close()
        for child in self._children:
            child.join()

    def ended(self) -> None:
        """The processes ended, their statuses read and dropped (a run that stops early)."""
        self.statuses()
        self.end()

    def pieces(self, k: int) -> list[str]:
        return [str(piece_file(self.folder, j, k)) for j in range(self.count)]


def _map_aside(link: Any, path: Path, mine: list[int], ranges: list[tuple[int, int]],
               anchor_types: frozenset[str], folder: Path) -> None:
    statuses: list[Status | None] = []
    try:
        for j in mine:
            mapped = map_range(path, *ranges[j], len(ranges), anchor_types)
            if mapped is None:
                break
            for k in range(len(ranges)):
                with piece_file(folder, j, k).open("wb") as out:
                    pickle.dump(piece_of(mapped, k), out, pickle.HIGHEST_PROTOCOL)
            statuses.append(mapped.status())
        link.send(statuses + [None] * (len(mine) - len(statuses)))
    except Exception:
        link.send([None] * len(mine))
    finally:
        link.close()


def piece_file(folder: Path, j: int, k: int) -> Path:
    """Where range j's piece for partition k is written (`_MapAside`)."""
    return folder / f"piece-{j}-{k}"


def _forkserver_started(method: str) -> None:
    """Where local workers come from a forkserver (`_start_method`), start it now, with
    Dask and the engine imported (Dask would start it with Dask's packages only, when the
    first worker is made): it imports them while the file is sorted, and workers start with
    both loaded."""
    if method == "forkserver":
        multiprocessing.get_context("forkserver").set_forkserver_preload(
            ["distributed", *PRELOAD])
        forkserver.ensure_running()


def _timed(phase: str, step: Any, *args: Any) -> Any:
    start = time.perf_counter()
    try:
        return step(*args)
    finally:
        PHASES[phase] = PHASES.get(phase, 0.0) + time.perf_counter() - start


def _remote(scheduler: str) -> AbstractContextManager[Any]:
    distributed: Any = importlib.import_module("distributed")
    try:
        client: AbstractContextManager[Any] = distributed.Client(scheduler, timeout="20s")
        return client
    except (OSError, TimeoutError, ValueError) as exc:
        raise UsageError(f"--scheduler {scheduler}: cannot reach a Dask scheduler there "
                         f"({exc})") from None


_CLOSING: list[threading.Thread] = []


def closed() -> None:
    """Wait until every local cluster this process started has closed and its scratch
    folder is removed."""
    while _CLOSING:
        _CLOSING.pop().join()


class _LocalStart:
    """A local cluster started in a thread while the ranges are sorted aside, its client,
    and its scratch folder: Dask's lock files go there, not into the system's temporary
    folder, and go with it."""

    def __init__(self, workers: int | None, folder: Path, method: str):
        self.folder, self.method = folder, method
        self.started = time.perf_counter()
        self._made: tuple[Any, Any] | None = None
        self._failed: BaseException | None = None
        self._thread = threading.Thread(target=self._start, args=(workers,), daemon=True)
        self._thread.start()

    def _start(self, workers: int | None) -> None:
        try:
            self._made = _local_cluster(workers, self.folder, self.method)
        except BaseException as exc:  # said in the main thread, by `client`
            self._failed = exc
        PHASES["cluster: start (overlapping the ranges sorted aside)"] = (
            time.perf_counter() - self.started)

    def client(self) -> Any:
        self._thread.join()
        if self._failed is not None:
            raise self._failed
        assert self._made is not None
        return self._made[1]

    def close_later(self) -> None:
        """Close the cluster in a thread while the caller goes on (counting per person and
        month, writing the report): not a daemon, so the interpreter waits for it to end
        before it exits, and the scratch folder is gone by then."""
        closing = threading.Thread(target=self.close, name="policyengine-dask-close")
        closing.start()
        _CLOSING.append(closing)

    def close(self) -> None:
        self._thread.join()
        if self._made is not None:
            cluster, client = self._made
            total, apart = _cluster_cpu(self.method == "fork")
            PHASES["cluster processes: CPU (start, imports, tasks)"] = total
            PHASES[UNREAPED] = apart
            start = time.perf_counter()
            client.close()
            cluster.close()
            PHASES["cluster: close"] = time.perf_counter() - start
        shutil.rmtree(self.folder, ignore_errors=True)


# The part of the cluster's CPU this process's resource usage will not count: its
# processes not reaped here (benchmarks/split_benchmark.py adds it to the command's).
UNREAPED = "cluster processes: CPU not counted in this process's children"


def _cluster_cpu(forked: bool) -> tuple[float, float]:
    """The CPU time of this process's descendants still running (the local cluster's
    worker processes, a forkserver), and of those this process will not reap: workers
    forked by a forkserver, and the server itself, are not this process's waited-for
    children, so resource.getrusage does not count them; workers forked from this process
    (`forked`: `_start_method`) are, once the cluster has closed."""
    try:
        psutil: Any = importlib.import_module("psutil")  # a dependency of distributed
        total = apart = 0.0
        me = psutil.Process()
        for process in me.children(recursive=True):
            times = process.cpu_times()
            total += times.user + times.system
            if not (forked and process.ppid() == me.pid):
                apart += times.user + times.system
        return float(total), float(apart)
    except Exception:  # (a process ended meanwhile, no psutil): not measured
        return 0.0, 0.0


def _local_cluster(workers: int | None, folder: Path, method: str) -> tuple[Any, Any]:
    dask: Any = importlib.import_module("dask")
    distributed: Any = importlib.import_module("distributed")
    # Worker processes forked from this one (or from a server process that has imported
    # Dask once: `method`, `_start_method`), rather than each started afresh (spawn) and
    # importing it again. The setting holds while the cluster is made: a worker restarted
    # later is spawned (by then the client has threads of its own running).
    # No work stealing: a task goes to its partition's worker (`_on`), and elsewhere only
    # when that worker is gone (then its partition is read again where the task runs).
    # No profiler, and the monitors' rounds less often: a worker's thread sampling the
    # running task's stack every 10 ms, the system monitor's (every 0.5 s), the memory
    # monitor's (0.1 s) and the event loops' ticks (20 ms) in every process cost 0.07 s of
    # CPU a second with 2 idle workers (0.02 s so), taken from the partitions' tasks when
    # the workers have a core each and no core is left for the client (`_cluster_cpu`). A
    # worker over its memory limit is still stopped, half a second later at most.
    with dask.config.set({"temporary-directory": str(folder),
                          "distributed.worker.multiprocessing-method": method,
                          "distributed.scheduler.work-stealing": False,
                          "distributed.worker.profile.enabled": False,
                          "distributed.admin.system-monitor.interval": "2s",
                          "distributed.worker.memory.monitor-interval": "500ms",
                          "distributed.admin.tick.interval": "200ms"}):
        # The scheduler always serves HTTP (None means its default port, 8787, and a
        # warning on stderr when another cluster holds it): a free port on loopback.
        cluster = distributed.LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True,
            dashboard_address="127.0.0.1:0", silence_logs=logging.CRITICAL,
            local_directory=str(folder), preload=PRELOAD)
        try:
            return cluster, distributed.Client(cluster)
        except BaseException:
            cluster.close()
            raise


def _run_mapped(client: Any, policy: CompiledPolicy, path: Path, name: str, as_of: datetime,
                period: Period | None, count: int, forked: bool) -> FileSplit | None:
    """The split when the workers see the file: partition j's worker reads and sorts byte
    range j (engine/sharing.py `map_range`) and cuts it into one piece per partition;
    partition k's worker gets its piece of every range (from the other workers: a shuffle)
    and reads its lines. The client only checks the file as a whole from what each range
    says (its first line is JSON, every line of an id goes to the same partitions), while
    the partitions read; no process reads or sorts the whole file. Ids are hashed with
    `hash` when every worker was forked from one server (the same seed: checked), else with
    `stable_hash`."""
    start = time.perf_counter()
    where = _places(client, count)
    size = path.stat().st_size
    hasher = hash if forked else stable_hash
    maps = [_on(client, where[j], _map, str(path), first, stop, count, policy.anchor_types,
                hasher) for j, (first, stop) in enumerate(byte_ranges(size, [1.0] * count))]
    statuses = [_on(client, where[j], _status, m) for j, m in enumerate(maps)]
    pieces = [[_on(client, where[j], _piece, m, k) for j, m in enumerate(maps)]
              for k in range(count)]
    del maps  # (each range's lines are let go once its pieces are cut)
    model = client.scatter([pickle.dumps(policy.model)], broadcast=True)[0]
    shares = [_on(client, where[k], _read_pieces, model, name, pieces[k], as_of)
              for k in range(count)]
    checked = client.gather(statuses)
    PHASES["client: the ranges read and sorted (waiting)"] = time.perf_counter() - start
    for j, (_, _, cpu) in enumerate(checked):
        PHASES[f"worker: range {j} read and sorted (CPU)"] = cpu
    known = [s for s, _, _ in checked if s is not None]
    if len(known) < count or len({probe for _, probe, _ in checked}) > 1 or not (
            formed(known) and _timed("client: the ids checked", lambda: one_code_per_id(
                known, pause=_let_others_run))):
        return None
    return _run(client, policy, (model, where, shares), as_of, period)


def _ready(client: Any, policy: CompiledPolicy, count: int) -> tuple[list[str], Any]:
    """Each partition's worker, and the policy's model sent to every worker."""
    return _places(client, count), client.scatter([pickle.dumps(policy.model)],
                                                  broadcast=True)[0]


def _run_aside(client: Any, policy: CompiledPolicy, aside: _MapAside, statuses: list[Status],
               name: str, as_of: datetime, period: Period | None,
               ready: tuple[list[str], Any]) -> FileSplit | None:
    """The split when the ranges were mapped aside: each partition's worker reads its
    pieces from the run's folder, while the client checks the file as a whole."""
    where, model = ready
    shares = [_on(client, where[k], _read_piece_files, model, name, aside.pieces(k), as_of)
              for k in range(aside.count)]
    # (checked while the partitions read: pausing, so that the scheduler, a thread of this
    # process, hands out their tasks at once)
    if not (formed(statuses) and _timed("client: the ids checked", lambda: one_code_per_id(
            statuses, pause=_let_others_run))):
        return None
    return _run(client, policy, (model, where, shares), as_of, period)


def _let_others_run() -> None:
    time.sleep(0)  # (gives up the interpreter's lock: another thread may take it)


def _run(client: Any, policy: CompiledPolicy, read: tuple[Any, list[str], list[Any]],
         as_of: datetime, period: Period | None) -> FileSplit | None:
    """Steps 3 to 5 from the partitions being read (`read`: the policy's model on the
    workers, each partition's worker, its share): the first fact of all agreed, the
    replays, the merge."""
    model_on_workers, where, shares = read
    start = time.perf_counter()
    # Every partition but the first replays as soon as it has read its lines: only the
    # first waits for the first fact of all (it opens the recurring duties from it). A
    # worker runs its head before its replay: both are ready as its read ends, and Dask ran
    # them in either order, the replay first in about half the runs; the first partition
    # then waited for a whole other replay (0.6-0.7 s of 4.0-4.6 s, 1M facts on 2 local
    # workers). A priority (`HEAD_FIRST`) fixed most runs, not those where the scheduler
    # sent the replay to the worker before the head (seen on a loaded machine): each later
    # replay takes its head as an argument, so Dask cannot start it first.
    heads = [_on(client, where[k], _head, share, priority=HEAD_FIRST)
             for k, share in enumerate(shares)]
    later = [_on(client, where[k], _replay, model_on_workers, share, k, None, as_of, period,
                 heads[k])
             for k, share in enumerate(shares) if k]
    said = client.gather(heads)
    PHASES["client: partitions read (waiting)"] = time.perf_counter() - start
    for k, (_, _, cpu) in enumerate(said):
        PHASES[f"worker: partition {k} read its lines, decoded, checked (CPU)"] = cpu
    firsts = [f for f, _, _ in said if f is not None]
    if not firsts:
        client.cancel(later)  # no fact up to the as-of: the caller runs one process
        return None
    first = min(firsts, key=line_key)
    start = time.perf_counter()
    done = _as_they_end([
        _on(client, where[0], _replay, model_on_workers, shares[0], 0, first, as_of, period),
        *later])
    PHASES["client: partitions replayed (waiting, receiving)"] = time.perf_counter() - start
    for k, (_, cpu) in enumerate(done):
        PHASES[f"worker: partition {k} replayed (CPU)"] = cpu
    summary = said[0][1].joined([s for _, s, _ in said])
    merged: FileSplit = _timed("client: merge", lambda: FileSplit(
        merge(policy, as_of, [p for p, _ in done], summary.seen), summary))
    return merged


def _as_they_end(replays: list[Any]) -> list[tuple[Part, float]]:
    """Each partition's replay, received as soon as it ends (a part is taken in while the
    others still replay, not all of them once the last has ended), in partition order."""
    distributed: Any = importlib.import_module("distributed")
    place = {future.key: k for k, future in enumerate(replays)}
    done: list[Any] = [None] * len(replays)
    for future in distributed.as_completed(replays):
        done[place[future.key]] = future.result()
    return done


def _places(client: Any, count: int) -> list[str]:
    """The worker each partition is read and replayed on, in turn."""
    try:  # distributed 2025.4 to mid-2026 list 5 workers unless asked for all
        info = client.scheduler_info(n_workers=-1)
    except TypeError:  # older: always all
        info = client.scheduler_info()
    addresses = sorted(info["workers"])
    return [addresses[k % len(addresses)] for k in range(count)]


# The priority of a partition's head over its replay (Dask runs a worker's ready task of
# the highest priority first; 0 by default).
HEAD_FIRST = 1


def _on(client: Any, worker: str, task: Any, *args: Any, priority: int = 0) -> Any:
    """`task(*args)` on `worker` while it is there: a partition's facts (a `Share`, hundreds
    of MiB that Dask sizes at a few bytes) stay where they were read; the scheduler would
    otherwise be free to move a task, and the facts pickled with it, to an idle worker (a
    local cluster steals no work, `_local_cluster`). Not "no other": a worker that dies comes
    back under another address, and tasks held to the old one would wait for ever."""
    return client.submit(task, *args, workers=[worker], allow_other_workers=True, pure=False,
                         priority=priority)


def _sent(client: Any, policy: CompiledPolicy, path: Path, codes: bytes, name: str,
          as_of: datetime, where: list[str]) -> tuple[Any, list[str], list[Any]]:
    """The partitions read from lines the client sends, a block of the file at a time, each
    to the worker that will read them (so it holds at once one block, not the file)."""
    model = client.scatter([pickle.dumps(policy.model)], broadcast=True)[0]
    count = len(where)
    chunks: list[list[Any]] = [[] for _ in range(count)]
    for k, lines in shares_by_block(path, codes, count):
        [future] = client.scatter([lines], workers=[where[k]])
        chunks[k].append(future)
    return model, where, [_on(client, where[k], _read_chunks, model, name, chunks[k], as_of)
                          for k in range(count)]


# -- on the workers ------------------------------------------------------------------------


def dask_setup(worker: Any) -> None:
    """Called by Dask in each local worker as it starts (this module is in `PRELOAD`). A
    worker forked from the client inherits its collector switched off (`evaluate_file`
    runs in `gc_paused`): it is switched on again, as in a worker started afresh, the
    objects inherited from the client frozen first (the collector then never walks them,
    nor copies their pages)."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


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


# What a worker's hash of this says: the same on every worker when they share a seed.
_PROBE = "policyengine: one hash seed"


def _map(path: str, start: int, stop: int, count: int, anchor_types: frozenset[str],
         hasher: Callable[[str], int]) -> tuple[Mapped | None, float]:
    began = time.process_time()
    mapped = map_range(Path(path), start, stop, count, anchor_types, hasher)
    return mapped, time.process_time() - began


def _status(mapped: tuple[Mapped | None, float]) -> tuple[Status | None, int, float]:
    done, cpu = mapped
    return None if done is None else done.status(), hash(_PROBE), cpu


def _piece(mapped: tuple[Mapped | None, float], k: int) -> Piece | None:
    done, _ = mapped
    return None if done is None else piece_of(done, k)


def _read_pieces(model: bytes, name: str, pieces: list[Piece | None], as_of: datetime
                 ) -> Share:
    began = time.process_time()
    if any(p is None for p in pieces):
        raise ValueError("a range was not read")  # (the client has said so already)
    share = _read(model, name, joined_pieces([p for p in pieces if p is not None]), as_of)
    share.cpu = time.process_time() - began
    return share


def _read_piece_files(model: bytes, name: str, paths: list[str], as_of: datetime) -> Share:
    began = time.process_time()
    pieces = []
    for path in paths:
        with open(path, "rb") as handle:
            pieces.append(pickle.load(handle))
    share = _read(model, name, joined_pieces(pieces), as_of)
    share.cpu = time.process_time() - began
    return share


def _read_chunks(model: bytes, name: str, chunks: list[Lines], as_of: datetime) -> Share:
    start = time.process_time()
    share = _read(model, name, joined_lines(chunks), as_of)
    share.cpu = time.process_time() - start
    return share


def _head(share: Share) -> tuple[Fact | None, Any, float]:
    return share.first, share.summary, share.cpu


def _replay(model: bytes, share: Share, k: int, first: Fact | None, as_of: datetime,
            period: Period | None, after: object = None) -> tuple[Part, float]:
    # `after`: the partition's head, unused here: a dependency, so that the head runs first
    from policyengine.engine.evaluate import triage

    start = time.process_time()
    policy = _policy(model)
    sort_out = triage(policy, period, as_of)
    with gc_paused():
        part = replay_share(policy, share, as_of,
                            lambda o: o.missing_year is not None or sort_out(o) is not None,
                            first, k)
    return part, time.process_time() - start
