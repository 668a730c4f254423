"""`policyengine serve`: the HTTP API over a fact store (SQLite file by default).

Needs the `serve` extra (FastAPI, uvicorn, psycopg): pip install 'policyengine[serve]'.
Also runnable alone: `python -m policyengine.service ...` takes the same arguments.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from policyengine.errors import PolicyEngineError, PolicyError, UsageError

INSTALL_HINT = ("policyengine serve needs the HTTP packages of the 'serve' extra: "
                "pip install 'policyengine[serve]'")


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "serve", help="run the HTTP API: append facts, read results (extra: serve)",
        description="Serve the policy over HTTP: facts are appended to a durable store "
                    "(an SQLite file by default, or PostgreSQL by URL) and results are read "
                    "as `evaluate` computes them. Requests need a bearer token; see "
                    "docs/integrators.md.")
    add_arguments(parser)
    parser.set_defaults(run=run)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    env = os.environ
    parser.add_argument("--policy", default=env.get("POLICYENGINE_POLICY", "policies"),
                        metavar="PATH", help="policy file or folder (default: policies/; "
                                             "env POLICYENGINE_POLICY)")
    parser.add_argument("--db", default=env.get("POLICYENGINE_DB", "policyengine.db"),
                        metavar="URL", help="an SQLite file (default: policyengine.db), "
                        "sqlite:///FILE, or postgresql://USER:PASSWORD@HOST:PORT/DB "
                        "(env POLICYENGINE_DB)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on "
                                                            "(default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="port (default: 8080)")
    parser.add_argument("--tokens", metavar="FILE",
                        help="tokens file, lines of NAME SCOPES SECRET (env "
                             "POLICYENGINE_TOKENS_FILE; or the lines themselves, separated "
                             "by ';', in POLICYENGINE_TOKENS)")
    parser.add_argument("--max-body-bytes", type=int, default=8 * 1024 * 1024, metavar="N",
                        help="largest request body accepted (default: 8 MiB)")
    parser.add_argument("--max-batch", type=int, default=10_000, metavar="N",
                        help="most facts in one batch request (default: 10000)")
    parser.add_argument("--log-level", default="info",
                        choices=("critical", "error", "warning", "info", "debug"))
    parser.add_argument("--access-log", action="store_true", help="log every request")
    parser.add_argument("--new-token", nargs=2, metavar=("NAME", "SCOPES"),
                        help="print a tokens-file line with a new random secret, e.g. "
                             "--new-token loader ingest (scopes: ingest, read, admin, "
                             "comma-separated) and exit")


def run(args: argparse.Namespace) -> int:
    from policyengine.service.auth import TokenSet, new_token_line

    if args.new_token:
        print(new_token_line(*args.new_token))
        return 0
    try:
        import uvicorn

        from policyengine.service.app import create_app
        from policyengine.service.state import Service, ServiceConfig
    except ImportError as exc:
        print(f"{INSTALL_HINT}\n(missing: {exc.name})", file=sys.stderr)
        return 2
    tokens = TokenSet.from_sources(args.tokens)
    if not len(tokens):
        raise UsageError("no tokens: every request needs one. Make a tokens file with "
                         "`policyengine serve --new-token NAME ingest,read > tokens.txt` and "
                         "start with --tokens tokens.txt (see docs/integrators.md)")
    if args.max_body_bytes < 1024 or args.max_batch < 1:
        raise UsageError("--max-body-bytes must be at least 1024 and --max-batch at least 1")
    config = ServiceConfig(policy_path=Path(args.policy), database=args.db, tokens=tokens,
                           max_body_bytes=args.max_body_bytes, max_batch=args.max_batch)
    logging.basicConfig(level=args.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    service = Service(config)
    app = create_app(config, service=service, warm=True)
    count, _ = service.store.count()
    policy = service.live.policy
    identity = policy.identity.content_hash[:19] if policy.identity else "no identity"
    print(f"policyengine: policy {policy.model.policy.id} v{policy.model.policy.version} "
          f"({identity}); {count} facts in {service.store.display_url}; {len(tokens)} "
          f"token(s); http://{args.host}:{args.port} (OpenAPI: /docs, /openapi.json)",
          file=sys.stderr, flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level,
                access_log=args.access_log, server_header=False,
                timeout_graceful_shutdown=10)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m policyengine.service`: the serve command alone."""
    parser = argparse.ArgumentParser(prog="policyengine serve",
                                     description="Serve the policy over HTTP.")
    add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        return run(args)
    except PolicyError as exc:
        for diagnostic in exc.diagnostics[:200]:
            print(diagnostic, file=sys.stderr)
        print(f"{len(exc.diagnostics)} policy error(s): the policy has errors; not serving",
              file=sys.stderr)
        return 2
    except PolicyEngineError as exc:
        print(f"policyengine: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
