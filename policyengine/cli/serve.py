"""`policyengine serve`: the HTTP API over a fact store (SQLite file by default).

Needs the `serve` extra (FastAPI, uvicorn, psycopg): pip install 'policyengine[serve]'.
Also runnable alone: `python -m policyengine.service ...` takes the same arguments.

What it prints reads in the reader's language: `--lang`, else (once the policy is read) the
policy's `policy.language`, else the locale, else Chinese; its refusals to start, worded by
the `usage.serve_*` templates of policyengine/wording.py, are usage errors (exit 2) told
in the language of `--lang`, else the locale, as every command's are.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from policyengine.cli import usage
from policyengine.errors import PolicyEngineError, PolicyError, UsageError
from policyengine.language import LANGUAGES, Lang, resolve_language
from policyengine.policy.messages import Say
from policyengine.wording import Joined, Line, line, os_reason

if TYPE_CHECKING:
    from policyengine.service.webhooks import WebhookSettings


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
    parser.add_argument("--lang", choices=LANGUAGES, default=None,
                        help="language of what the command prints as it starts (default: the "
                             "policy's policy.language, else the locale, else zh); the API "
                             "answers each request in its own (?lang=, Accept-Language)")
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

    lang = resolve_language(args.lang)  # no policy is read yet
    if args.new_token:
        print(new_token_line(*args.new_token))
        if not sys.stdout.isatty():  # most likely `> tokens.txt`: a file others can read
            _say(lang, Say.NOTE, line("serve.redirect"))
        return 0
    try:
        from policyengine.service.app import create_app
        from policyengine.service.permissions import sqlite_files
        from policyengine.service.protocol import fit_to_file_limit, server
        from policyengine.service.sqlite import SqliteStore
        from policyengine.service.state import ConnectionLimits, Service, ServiceConfig
    except ImportError as exc:
        print(line("serve.install", missing=exc.name).render(lang), file=sys.stderr)
        return 2
    tokens = TokenSet.from_sources(args.tokens)
    if not len(tokens):
        raise UsageError(line("usage.serve_no_tokens"))
    if args.max_body_bytes < 1024 or args.max_batch < 1:
        raise UsageError(line("usage.serve_body_batch"))
    if not (args.header_timeout > 0 and args.body_timeout > 0 and args.max_connections >= 1):
        raise UsageError(line("usage.serve_timeouts"))
    cap, cramped = fit_to_file_limit(args.max_connections)
    limits = ConnectionLimits(args.header_timeout, args.body_timeout, cap)
    webhooks = webhook_settings(args)
    config = ServiceConfig(policy_path=Path(args.policy), pack=args.pack, database=args.db,
                           tokens=tokens,
                           max_body_bytes=args.max_body_bytes, max_batch=args.max_batch,
                           connections=limits, webhooks=webhooks)
    logging.basicConfig(level=args.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    service = Service(config)
    policy = service.live.policy
    lang = resolve_language(args.lang, policy.model.policy.language)  # the policy's, now
    if cramped:
        _say(lang, Say.WARNING, cramped)
    tokens_file = args.tokens or os.environ.get(ENV_FILE)
    private = [Path(tokens_file)] if tokens_file else []
    if args.webhook_secret_file:
        private.append(Path(args.webhook_secret_file))
    if isinstance(service.store, SqliteStore):
        private += sqlite_files(service.store.path)
    _check_permissions(private, strict=args.strict_permissions, lang=lang)
    app = create_app(config, service=service, warm=True)
    count, _ = service.store.count()
    identity = policy.identity
    _say(lang, None, line(
        "serve.started", pack=line("serve.pack", pack=identity.pack) if identity and identity.pack
        else "", id=policy.model.policy.id, version=policy.model.policy.version,
        identity=identity.content_hash[:19] if identity else line("serve.no_identity"),
        count=count, store=service.store.display_url, tokens=len(tokens), host=args.host,
        port=args.port))
    server(app, host=args.host, port=args.port, limits=limits,
           lang=resolve_language(None, policy.model.policy.language, environ={}),
           log_level=args.log_level, access_log=args.access_log).run()
    return 0


def webhook_settings(args: argparse.Namespace) -> WebhookSettings:
    """The --webhook options, checked: a URL needs a secret file, the figures must be sane."""
    from policyengine.service.webhooks import WebhookSettings, check_secret, check_url

    if not (args.webhook_timeout > 0 and args.webhook_attempts >= 1
            and args.webhook_backoff >= 0 and args.webhook_scan_interval > 0):
        raise UsageError(line("usage.serve_webhook_figures"))
    subscriptions: tuple[tuple[str, str], ...] = ()
    if args.webhook:
        if not args.webhook_secret_file:
            raise UsageError(line("usage.serve_webhook_no_secret"))
        try:
            text = Path(args.webhook_secret_file).read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(line("usage.serve_secret_unreadable", path=args.webhook_secret_file,
                                  reason=os_reason(exc))) from None
        secret = check_secret(text.strip().splitlines()[0].strip() if text.strip() else "")
        subscriptions = tuple((check_url(url), secret) for url in args.webhook)
    elif args.webhook_secret_file:
        raise UsageError(line("usage.serve_secret_alone"))
    return WebhookSettings(timeout=args.webhook_timeout, max_attempts=args.webhook_attempts,
                           backoff=args.webhook_backoff, scan_interval=args.webhook_scan_interval,
                           subscriptions=subscriptions)


def _check_permissions(paths: list[Path], strict: bool, lang: Lang) -> None:
    """Warn about (or, strict, refuse, naming them) a tokens or database file others may
    read."""
    from policyengine.service.permissions import open_to_others

    loose = [line("serve.open_to_others", path=path, mode=f"{mode:04o}")
             for path, mode in open_to_others(paths)]
    if loose and strict:
        raise UsageError(line("usage.serve_open_files", files=Joined(tuple(loose))))
    for said in loose:
        _say(lang, Say.WARNING, said)


def _say(lang: Lang, kind: Say | None, said: Line) -> None:
    """`policyengine: warning: ...` (or note, or nothing between) on standard error."""
    head = kind().get(lang) if kind is not None else ""
    print(f"{usage.prefix(lang)}{head}{said.render(lang)}", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m policyengine.service`: the serve command alone."""
    from policyengine.cli.check import print_policy_errors

    parser = usage.parser_class(usage.argv_language(argv))(
        prog="policyengine serve", description="Serve the policy over HTTP.")
    add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        return run(args)
    except PolicyError as exc:  # as `policyengine serve` and `policyengine check` say it
        print_policy_errors(exc, resolve_language(args.lang, exc.language))
        return 2
    except UsageError as exc:
        lang = resolve_language(args.lang)
        print(f"{usage.prefix(lang)}{exc.text(lang)}", file=sys.stderr)
        return 2
    except PolicyEngineError as exc:
        print(f"{usage.prefix(resolve_language(args.lang))}{exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
