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
from typing import TYPE_CHECKING, Any

from policyengine.errors import PolicyEngineError, PolicyError, UsageError
from policyengine.language import resolve_language

if TYPE_CHECKING:
    from policyengine.service.webhooks import WebhookSettings

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
    parser.add_argument("--pack", default=env.get("POLICYENGINE_PACK") or None, metavar="NAME",
                        help="the pack of a folder of packs (default: the one packs.yaml "
                             "names; env POLICYENGINE_PACK)")
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
    parser.add_argument("--header-timeout", type=float, default=10.0, metavar="SECONDS",
                        help="a request's line and headers must arrive within this time of "
                             "the connection opening (default: 10)")
    parser.add_argument("--body-timeout", type=float, default=60.0, metavar="SECONDS",
                        help="a request's body must arrive within this time of its headers "
                             "(default: 60)")
    parser.add_argument("--max-connections", type=int, default=4000, metavar="N",
                        help="most open connections; more are answered 503 (default: 4000)")
    parser.add_argument("--strict-permissions", action="store_true",
                        help="refuse to start when the tokens file or the SQLite database "
                             "can be read by the group or others (default: warn)")
    parser.add_argument("--log-level", default="info",
                        choices=("critical", "error", "warning", "info", "debug"))
    parser.add_argument("--access-log", action="store_true", help="log every request")
    hooks = parser.add_argument_group(
        "webhooks", "signed POSTs for each obligation opened, fulfilled, violated or pending "
                    "calendar data (docs/integrators.md); subscriptions may also be made by an "
                    "admin token: POST /v1/webhooks")
    hooks.add_argument("--webhook", action="append", default=[], metavar="URL",
                       help="subscribe URL (repeatable; kept across restarts, one "
                            "subscription per URL); needs --webhook-secret-file")
    hooks.add_argument("--webhook-secret-file", metavar="FILE",
                       help="a file holding the signing secret of the --webhook URLs (its "
                            "first line; at least 16 characters)")
    hooks.add_argument("--webhook-timeout", type=float, default=5.0, metavar="SECONDS",
                       help="one delivery attempt's limit (default: 5)")
    hooks.add_argument("--webhook-attempts", type=int, default=8, metavar="N",
                       help="attempts before a delivery becomes a dead letter (default: 8)")
    hooks.add_argument("--webhook-backoff", type=float, default=10.0, metavar="SECONDS",
                       help="wait before the second attempt, doubled each time up to an hour "
                            "(default: 10)")
    hooks.add_argument("--webhook-scan-interval", type=float, default=60.0, metavar="SECONDS",
                       help="how often deadlines are looked at when no fact arrives "
                            "(default: 60)")
    parser.add_argument("--new-token", nargs=2, metavar=("NAME", "SCOPES"),
                        help="print a tokens-file line with a new random secret and exit "
                             "(kept for scripts; prefer `policyengine token new NAME --scopes "
                             "SCOPES --file tokens.txt`, which writes the file mode 0600)")


def run(args: argparse.Namespace) -> int:
    from policyengine.service.auth import ENV_FILE, TokenSet, new_token_line

    if args.new_token:
        print(new_token_line(*args.new_token))
        if not sys.stdout.isatty():  # most likely `> tokens.txt`: a file others can read
            print("policyengine: note: a file written with `>` can be read by others; "
                  "`policyengine token new NAME --scopes SCOPES --file FILE` writes it with "
                  "mode 0600", file=sys.stderr)
        return 0
    try:
        from policyengine.service.app import create_app
        from policyengine.service.permissions import sqlite_files
        from policyengine.service.protocol import fit_to_file_limit, server
        from policyengine.service.sqlite import SqliteStore
        from policyengine.service.state import ConnectionLimits, Service, ServiceConfig
    except ImportError as exc:
        print(f"{INSTALL_HINT}\n(missing: {exc.name})", file=sys.stderr)
        return 2
    tokens = TokenSet.from_sources(args.tokens)
    if not len(tokens):
        raise UsageError("no tokens: every request needs one. Make a tokens file with "
                         "`policyengine token new NAME --scopes ingest,read --file tokens.txt` "
                         "and start with --tokens tokens.txt (see docs/integrators.md)")
    if args.max_body_bytes < 1024 or args.max_batch < 1:
        raise UsageError("--max-body-bytes must be at least 1024 and --max-batch at least 1")
    if not (args.header_timeout > 0 and args.body_timeout > 0 and args.max_connections >= 1):
        raise UsageError("--header-timeout and --body-timeout must be above 0 seconds, and "
                         "--max-connections at least 1")
    cap, cramped = fit_to_file_limit(args.max_connections)
    if cramped:
        print(f"policyengine: warning: {cramped}", file=sys.stderr)
    limits = ConnectionLimits(args.header_timeout, args.body_timeout, cap)
    webhooks = webhook_settings(args)
    config = ServiceConfig(policy_path=Path(args.policy), pack=args.pack, database=args.db,
                           tokens=tokens,
                           max_body_bytes=args.max_body_bytes, max_batch=args.max_batch,
                           connections=limits, webhooks=webhooks)
    logging.basicConfig(level=args.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    service = Service(config)
    tokens_file = args.tokens or os.environ.get(ENV_FILE)
    private = [Path(tokens_file)] if tokens_file else []
    if args.webhook_secret_file:
        private.append(Path(args.webhook_secret_file))
    if isinstance(service.store, SqliteStore):
        private += sqlite_files(service.store.path)
    _check_permissions(private, strict=args.strict_permissions)
    app = create_app(config, service=service, warm=True)
    count, _ = service.store.count()
    policy = service.live.policy
    identity = policy.identity.content_hash[:19] if policy.identity else "no identity"
    pack = f"pack {policy.identity.pack}, " if policy.identity and policy.identity.pack else ""
    print(f"policyengine: {pack}policy {policy.model.policy.id} v{policy.model.policy.version} "
          f"({identity}); {count} facts in {service.store.display_url}; {len(tokens)} "
          f"token(s); http://{args.host}:{args.port} (OpenAPI: /docs, /openapi.json)",
          file=sys.stderr, flush=True)
    server(app, host=args.host, port=args.port, limits=limits,
           lang=resolve_language(None, policy.model.policy.language, environ={}),
           log_level=args.log_level, access_log=args.access_log).run()
    return 0


def webhook_settings(args: argparse.Namespace) -> WebhookSettings:
    """The --webhook options, checked: a URL needs a secret file, the figures must be sane."""
    from policyengine.service.webhooks import WebhookSettings, check_secret, check_url

    if not (args.webhook_timeout > 0 and args.webhook_attempts >= 1
            and args.webhook_backoff >= 0 and args.webhook_scan_interval > 0):
        raise UsageError("--webhook-timeout and --webhook-scan-interval must be above 0 "
                         "seconds, --webhook-backoff at least 0, --webhook-attempts at least 1")
    subscriptions: tuple[tuple[str, str], ...] = ()
    if args.webhook:
        if not args.webhook_secret_file:
            raise UsageError("--webhook needs --webhook-secret-file FILE: the secret that "
                             "signs every delivery (at least 16 characters)")
        try:
            text = Path(args.webhook_secret_file).read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot read the webhook secret file {args.webhook_secret_file}:"
                             f" {exc.strerror}") from None
        secret = check_secret(text.strip().splitlines()[0].strip() if text.strip() else "")
        subscriptions = tuple((check_url(url), secret) for url in args.webhook)
    elif args.webhook_secret_file:
        raise UsageError("--webhook-secret-file is given without --webhook URL")
    return WebhookSettings(timeout=args.webhook_timeout, max_attempts=args.webhook_attempts,
                           backoff=args.webhook_backoff, scan_interval=args.webhook_scan_interval,
                           subscriptions=subscriptions)


def _check_permissions(paths: list[Path], strict: bool) -> None:
    """Warn about (or, strict, refuse) a tokens or database file others may read."""
    from policyengine.service.permissions import open_to_others

    loose = open_to_others(paths)
    for path, mode in loose:
        print(f"policyengine: {'error' if strict else 'warning'}: {path} can be read by the "
              f"group or others (mode {mode:04o}); it holds secrets or facts: chmod 600 "
              f"{path}", file=sys.stderr)
    if loose and strict:
        raise UsageError("not serving: files open to others (--strict-permissions)")


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
