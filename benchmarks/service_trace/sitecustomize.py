"""Where a service read's time goes: loaded into `policyengine serve` by Python itself.

Not part of the service. With this folder on PYTHONPATH and PE_TRACE=PREFIX set, every
Python process started (the benchmark and the service it starts) writes PREFIX.PID, one
tab-separated line per event:

- `gc  TIME THREAD GENERATION MS COLLECTED`: each collector pass (gc.callbacks);
- `fn  TIME THREAD NAME WALL_MS CPU_MS`: each call of the service's steps (wall and the
  calling thread's CPU time), NAME as below;
- `req TIME METHOD PATH MS`: each HTTP request, from the app's first byte to its last.

`benchmarks/service_trace_report.py PREFIX.PID PERSON` sums them per read. Run from the
tree measured (the service runs from its folder; that folder is put first on sys.path so
this module imports the same code):

    PYTHONPATH=benchmarks/service_trace PE_TRACE=/tmp/trace \\
        python benchmarks/service_benchmark.py --facts 1000000
"""

from __future__ import annotations

import os

if os.environ.get("PE_TRACE"):
    import functools
    import gc
    import sys
    import threading
    import time
    from typing import Any

    sys.path.insert(0, os.getcwd())
    _out = open(f"{os.environ['PE_TRACE']}.{os.getpid()}", "a", buffering=1)  # noqa: SIM115
    _lock = threading.Lock()
    _started: dict[int, float] = {}

    def _emit(*fields: object) -> None:
        with _lock:
            _out.write("\t".join(str(f) for f in fields) + "\n")

    def _collected(phase: str, info: dict[str, Any]) -> None:
        thread = threading.get_ident()
        if phase == "start":
            _started[thread] = time.perf_counter()
            return
        began = _started.pop(thread, None)
        if began is not None:
            now = time.perf_counter()
            _emit("gc", f"{now:.6f}", threading.current_thread().name, info["generation"],
                  f"{(now - began) * 1000:.3f}", info["collected"])

    gc.callbacks.append(_collected)

    def _wrap(owner: Any, name: str, label: str) -> None:
        function = getattr(owner, name)

        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Any:
            wall, cpu = time.perf_counter(), time.thread_time()
            try:
                return function(*args, **kwargs)
            finally:
                now = time.perf_counter()
                _emit("fn", f"{now:.6f}", threading.current_thread().name, label,
                      f"{(now - wall) * 1000:.3f}", f"{(time.thread_time() - cpu) * 1000:.3f}")

        setattr(owner, name, timed)

    import policyengine.service.app as app
    import policyengine.service.casebook as casebook
    import policyengine.service.casebook.moments as moments
    import policyengine.service.casebook.person as person
    import policyengine.service.http as http
    import policyengine.service.reads as reads
    import policyengine.service.store as store
    import policyengine.service.views as views

    for owner, name in ((reads.Results, "person"), (reads.Results, "_refresh"),
                        (casebook.CaseBook, "settle"), (casebook.CaseBook, "person_result"),
                        (casebook.CaseBook, "_keep"), (casebook.CaseBook, "_moment"),
                        (views, "evaluate"), (views, "violations"), (views, "append"),
                        (http.Json, "render"), (store.Store, "outcomes_write"),
                        (store.Store, "append")):
        _wrap(owner, name, f"{owner.__name__.rsplit('.', 1)[-1]}.{name}")
    for module in (moments, person):  # CaseBook.result and person_result call it
        _wrap(module, "evaluate_replay", "evaluate_replay")

    _create_app = app.create_app

    def _traced_app(*args: Any, **kwargs: Any) -> Any:
        inner = _create_app(*args, **kwargs)

        async def traced(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] != "http":
                await inner(scope, receive, send)
                return
            began = time.perf_counter()
            try:
                await inner(scope, receive, send)
            finally:
                now = time.perf_counter()
                _emit("req", f"{now:.6f}", scope["method"], scope["path"][:60],
                      f"{(now - began) * 1000:.3f}")

        return traced

    app.create_app = _traced_app
