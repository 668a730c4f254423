"""Secrets and facts stay the owner's: `policyengine token new` writes the tokens file 0600,
the SQLite files are created 0600, and `serve` warns about (or, strict, refuses) files the
group or others may read."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from service_support import POLICY, TOKENS_TEXT

from policyengine.cli import serve
from policyengine.cli.main import main as cli_main
from policyengine.service import protocol
from policyengine.service.auth import TokenSet
from policyengine.service.store import open_store


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def _usual_umask() -> Iterator[None]:
    """The common umask 022, under which files are made 0644 unless asked otherwise."""
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.fixture(autouse=True)
def _no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("POLICYENGINE_TOKENS", "POLICYENGINE_TOKENS_FILE", "POLICYENGINE_DB",
                 "POLICYENGINE_POLICY", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")  # no language of its own: Chinese


def test_token_new_creates_the_tokens_file_owner_only(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tokens = tmp_path / "tokens.txt"
    assert cli_main(["token", "new", "loader", "--scopes", "ingest,read",
                     "--file", str(tokens)]) == 0
    assert cli_main(["token", "new", "board", "--scopes", "read", "--file", str(tokens),
                     "--lang", "en"]) == 0
    assert mode(tokens) == 0o600
    lines = tokens.read_text(encoding="utf-8").splitlines()
    assert [line.split()[:2] for line in lines] == [["loader", "ingest,read"], ["board", "read"]]
    token = TokenSet.load(tokens).authenticate(lines[0].split()[2])
    assert token is not None and token.scopes == {"ingest", "read"}
    err = capsys.readouterr().err
    assert f"policyengine：令牌“loader”（ingest,read）已加入 {tokens}；请用 --tokens" in err
    assert "token 'board' (read) added to" in err
    assert lines[0].split()[2] not in err  # the secret is not echoed to the terminal


def test_token_new_tightens_a_tokens_file_others_can_read(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tokens = tmp_path / "tokens.txt"
    tokens.write_text(TOKENS_TEXT, encoding="utf-8")  # no final newline
    os.chmod(tokens, 0o644)
    assert cli_main(["token", "new", "extra", "--scopes", "admin", "--file", str(tokens)]) == 0
    assert mode(tokens) == 0o600
    assert capsys.readouterr().err.startswith(
        f"policyengine：{tokens} 原先其他用户也能读取；它存有密钥，现已改为 0600"
        "（仅所有者可读写）\n")
    names = [t.name for t in TokenSet.load(tokens).tokens]
    assert names == ["loader", "dashboard", "operator", "tester", "extra"]


def test_token_new_refuses_a_name_already_in_the_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tokens = tmp_path / "tokens.txt"
    tokens.write_text(TOKENS_TEXT + "\n", encoding="utf-8")
    before = tokens.read_bytes()
    assert cli_main(["token", "new", "loader", "--scopes", "read", "--file", str(tokens)]) == 2
    assert capsys.readouterr().err == (f"policyengine：{tokens} 中已有名为“loader”的令牌：请换一个"
                                       "名称，或先删掉那一行\n")
    assert cli_main(["token", "new", "loader", "--scopes", "read", "--file", str(tokens),
                     "--lang", "en"]) == 2
    assert "already has a token named 'loader'" in capsys.readouterr().err
    assert tokens.read_bytes() == before


def test_token_new_without_a_file_prints_the_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["token", "new", "loader", "--scopes", "ingest"]) == 0
    name, scopes, secret = capsys.readouterr().out.split()
    assert (name, scopes) == ("loader", "ingest") and len(secret) >= 32
    assert cli_main(["token", "new", "loader", "--scopes", "write"]) == 2
    assert "新令牌 第 1 项：未知的权限 write" in capsys.readouterr().err
    assert cli_main(["token", "new", "loader", "--scopes", "write", "--lang", "en"]) == 2
    assert "the new token entry 1: unknown scope(s) write" in capsys.readouterr().err


def test_the_sqlite_files_are_created_owner_only(tmp_path: Path) -> None:
    database = tmp_path / "facts.db"
    store = open_store(str(database))
    try:
        store.count()  # the reader's connection too: WAL and shared memory exist now
        names = sorted(p.name for p in tmp_path.iterdir())
        assert names == ["facts.db", "facts.db-shm", "facts.db-wal"]
        assert {p.name: mode(p) for p in tmp_path.iterdir()} == dict.fromkeys(names, 0o600)
    finally:
        store.close()


class _NotRun:
    """Stands in for the uvicorn server: these tests stop before serving."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.ran = False

    def run(self) -> None:
        self.ran = True


def start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *extra: str) -> int:
    monkeypatch.setattr(protocol, "server", _NotRun)
    return serve.main(["--tokens", str(tmp_path / "tokens.txt"), "--policy", str(POLICY),
                       "--db", str(tmp_path / "facts.db"), *extra])


def test_serve_warns_about_files_others_can_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    tokens = tmp_path / "tokens.txt"
    tokens.write_text(TOKENS_TEXT, encoding="utf-8")  # 0644 under umask 022
    (tmp_path / "facts.db").touch()
    assert start(tmp_path, monkeypatch) == 0
    err = capsys.readouterr().err  # in the policy's language (zh)
    assert (f"policyengine：警告：{tokens} 同组或其他用户也能读取（权限 0644）；它存有密钥或事实"
            f"数据：请执行 chmod 600 {tokens}\n") in err
    assert f"警告：{tmp_path / 'facts.db'} 同组或其他用户也能读取" in err
    assert start(tmp_path, monkeypatch, "--lang", "en") == 0
    err = capsys.readouterr().err
    assert f"warning: {tokens} can be read by the group or others (mode 0644)" in err
    assert f"warning: {tmp_path / 'facts.db'} can be read by the group or others" in err
    assert f"chmod 600 {tokens}" in err


def test_serve_says_nothing_of_private_files(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["token", "new", "me", "--scopes", "read",
                     "--file", str(tmp_path / "tokens.txt")]) == 0
    assert start(tmp_path, monkeypatch, "--strict-permissions") == 0
    assert "也能读取" not in capsys.readouterr().err
    assert mode(tmp_path / "facts.db") == 0o600


def test_strict_permissions_refuses_to_serve(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "tokens.txt").write_text(TOKENS_TEXT, encoding="utf-8")
    assert start(tmp_path, monkeypatch, "--strict-permissions") == 2
    assert capsys.readouterr().err == (
        "policyengine：未启动服务：以下文件其他用户也能读取（--strict-permissions）：\n"
        f"  {tmp_path / 'tokens.txt'} 同组或其他用户也能读取（权限 0644）；它存有密钥或事实数据："
        f"请执行 chmod 600 {tmp_path / 'tokens.txt'}\n")
    assert start(tmp_path, monkeypatch, "--strict-permissions", "--lang", "en") == 2
    assert capsys.readouterr().err == (
        "policyengine: not serving: files open to others (--strict-permissions):\n"
        f"  {tmp_path / 'tokens.txt'} can be read by the group or others (mode 0644); it holds "
        f"secrets or facts: chmod 600 {tmp_path / 'tokens.txt'}\n")
