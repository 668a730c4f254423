"""`policyengine serve` as a command: tokens, start-up errors, and the missing extra."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from service_support import POLICY, ROOT, TOKENS_TEXT

from policyengine.cli import serve
from policyengine.service.auth import TokenSet


@pytest.fixture(autouse=True)
def _no_token_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("POLICYENGINE_TOKENS", "POLICYENGINE_TOKENS_FILE", "POLICYENGINE_DB",
                 "POLICYENGINE_POLICY"):
        monkeypatch.delenv(name, raising=False)


def test_new_token_prints_a_tokens_file_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert serve.main(["--new-token", "loader", "ingest,read"]) == 0
    line = capsys.readouterr().out.strip()
    name, scopes, secret = line.split()
    assert (name, scopes) == ("loader", "ingest,read") and len(secret) >= 32
    token = TokenSet.parse(line, "out").authenticate(secret)
    assert token is not None and token.scopes == {"ingest", "read"}


def test_new_token_into_a_file_points_to_token_new(capsys: pytest.CaptureFixture[str]) -> None:
    assert serve.main(["--new-token", "loader", "ingest"]) == 0  # stdout is not a terminal
    assert "policyengine token new NAME --scopes SCOPES --file FILE" in capsys.readouterr().err


def test_new_token_refuses_an_unknown_scope(capsys: pytest.CaptureFixture[str]) -> None:
    assert serve.main(["--new-token", "loader", "write"]) == 2
    assert "unknown scope(s) write" in capsys.readouterr().err


def test_no_tokens_no_service(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert serve.main(["--db", str(tmp_path / "x.db")]) == 2
    err = capsys.readouterr().err
    assert "no tokens" in err and "policyengine token new" in err
    assert not (tmp_path / "x.db").exists()


def test_a_broken_policy_is_reported_before_serving(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tokens = tmp_path / "tokens.txt"
    tokens.write_text(TOKENS_TEXT, encoding="utf-8")
    policy = tmp_path / "policy.yaml"
    policy.write_text("policy: {id: x}\n", encoding="utf-8")
    assert serve.main(["--tokens", str(tokens), "--policy", str(policy), "--db",
                       str(tmp_path / "x.db")]) == 2
    assert "policy error(s)" in capsys.readouterr().err
    assert not (tmp_path / "x.db").exists()


def test_an_unknown_database_url_is_reported(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tokens = tmp_path / "tokens.txt"
    tokens.write_text(TOKENS_TEXT, encoding="utf-8")
    assert serve.main(["--tokens", str(tokens), "--policy", str(POLICY), "--db",
                       "mysql://localhost/x"]) == 2
    assert "not a database this service knows" in capsys.readouterr().err


def test_without_the_serve_extra_the_command_says_what_to_install(tmp_path: Path) -> None:
    tokens = tmp_path / "tokens.txt"
    tokens.write_text(TOKENS_TEXT, encoding="utf-8")
    # Make fastapi and uvicorn unimportable, as in an install without the extra.
    code = ("import sys; sys.modules['fastapi'] = None; sys.modules['uvicorn'] = None\n"
            "from policyengine.cli import serve\n"
            f"sys.exit(serve.main(['--tokens', {str(tokens)!r}]))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, timeout=60)
    assert done.returncode == 2
    assert "pip install 'policyengine[serve]'" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_main_command_offers_serve_once_registered() -> None:
    from policyengine.cli.main import build_parser

    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command")
    if "serve" not in getattr(commands, "choices", {}):
        pytest.skip("policyengine/cli/main.py does not register `serve` yet")
    args = parser.parse_args(["serve", "--port", "9999"])
    assert args.port == 9999 and args.run is serve.run
