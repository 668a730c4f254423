"""`policyengine serve` as a command: tokens, start-up errors, and the missing extra.

What it says as it starts reads in Chinese by default, in English with --lang en or an
English locale (the process here has LANG=C.UTF-8: no language of its own)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from service_support import POLICY, ROOT, TOKENS_TEXT

from policyengine.cli import serve
from policyengine.service import protocol
from policyengine.service.auth import TokenSet


@pytest.fixture(autouse=True)
def _no_token_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("POLICYENGINE_TOKENS", "POLICYENGINE_TOKENS_FILE", "POLICYENGINE_DB",
                 "POLICYENGINE_POLICY", "POLICYENGINE_PACK", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


def said(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """What `python -m policyengine.service ARGV` prints refusing to start (exit 2)."""
    assert serve.main(list(argv)) == 2
    return capsys.readouterr().err


def test_new_token_prints_a_tokens_file_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert serve.main(["--new-token", "loader", "ingest,read"]) == 0
    line = capsys.readouterr().out.strip()
    name, scopes, secret = line.split()
    assert (name, scopes) == ("loader", "ingest,read") and len(secret) >= 32
    token = TokenSet.parse(line, "out").authenticate(secret)
    assert token is not None and token.scopes == {"ingest", "read"}


def test_new_token_into_a_file_points_to_token_new(capsys: pytest.CaptureFixture[str]) -> None:
    assert serve.main(["--new-token", "loader", "ingest"]) == 0  # stdout is not a terminal
    assert capsys.readouterr().err == (
        "policyengine：注意：用 `>` 写出的文件其他用户也能读取；`policyengine token new 名称 "
        "--scopes 权限 --file 文件` 写出的文件权限为 0600\n")
    assert serve.main(["--new-token", "loader", "ingest", "--lang", "en"]) == 0
    assert capsys.readouterr().err == (
        "policyengine: note: a file written with `>` can be read by others; `policyengine "
        "token new NAME --scopes SCOPES --file FILE` writes it with mode 0600\n")


def test_new_token_refuses_an_unknown_scope(capsys: pytest.CaptureFixture[str]) -> None:
    assert said(capsys, "--new-token", "loader", "write") == (
        "policyengine：令牌不可用：\n  新令牌 第 1 项：未知的权限 write；可用的权限有 "
        "ingest, read, admin, feed\n")
    assert said(capsys, "--new-token", "loader", "write", "--lang", "en") == (
        "policyengine: the tokens are not usable:\n  the new token entry 1: unknown scope(s) "
        "write; the scopes are ingest, read, admin, feed\n")


def test_no_tokens_no_service(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                              monkeypatch: pytest.MonkeyPatch) -> None:
    assert said(capsys, "--db", str(tmp_path / "x.db")) == (
        "policyengine：没有令牌：每个请求都要带令牌。请先用 `policyengine token new 名称 --scopes "
        "ingest,read --file tokens.txt` 生成令牌文件，再加上 --tokens tokens.txt 启动"
        "（见 docs/integrators.md）\n")
    english = said(capsys, "--db", str(tmp_path / "x.db"), "--lang", "en")
    assert english == (
        "policyengine: no tokens: every request needs one. Make a tokens file with "
        "`policyengine token new NAME --scopes ingest,read --file tokens.txt` and start with "
        "--tokens tokens.txt (see docs/integrators.md)\n")
    monkeypatch.setenv("LANG", "en_US.UTF-8")  # the locale, when --lang is not given
    assert said(capsys, "--db", str(tmp_path / "x.db")) == english
    assert not (tmp_path / "x.db").exists()


def test_an_unreadable_tokens_file_is_told_in_the_readers_language(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "tokens.txt"
    assert said(capsys, "--tokens", str(missing)) == (
        f"policyengine：无法读取令牌文件 {missing}：没有这个文件或文件夹\n")
    assert said(capsys, "--tokens", str(missing), "--lang", "en") == (
        f"policyengine: cannot read the tokens file {missing}: No such file or directory\n")
    assert said(capsys, "--tokens", str(tmp_path)) == (
        f"policyengine：无法读取令牌文件 {tmp_path}：这是文件夹，不是文件\n")
    missing.write_text("loader ingest short\nloader ingest\n", encoding="utf-8")
    assert said(capsys, "--tokens", str(missing)) == (
        f"policyengine：令牌不可用：\n  {missing}:1：“loader”的密钥只有 5 个字符，至少要 16 个"
        "（可用 `policyengine token new` 生成）\n"
        f"  {missing}:2：应写作“名称 权限 密钥”3 项，这里有 2 项\n")
    assert said(capsys, "--tokens", str(missing), "--lang", "en") == (
        f"policyengine: the tokens are not usable:\n  {missing}:1: the secret of 'loader' is "
        "5 characters; use at least 16 (`policyengine token new` makes one)\n"
        f"  {missing}:2: write NAME SCOPES SECRET (3 fields), found 2\n")


@pytest.mark.parametrize(("option", "chinese", "english"), [
    (["--max-batch", "0"], "--max-body-bytes 至少为 1024，--max-batch 至少为 1",
     "--max-body-bytes must be at least 1024 and --max-batch at least 1"),
    (["--max-body-bytes", "10"], "--max-body-bytes 至少为 1024，--max-batch 至少为 1",
     "--max-body-bytes must be at least 1024 and --max-batch at least 1"),
    (["--body-timeout", "0"], "--header-timeout 和 --body-timeout 必须大于 0 秒，"
     "--max-connections 至少为 1", "--header-timeout and --body-timeout must be above 0 "
     "seconds, and --max-connections at least 1"),
    (["--webhook", "http://127.0.0.1:9/"], "--webhook 需要同时给出 --webhook-secret-file 文件："
     "文件里的密钥用来给每次推送签名（至少 16 个字符）", "--webhook needs --webhook-secret-file "
     "FILE: the secret that signs every delivery (at least 16 characters)"),
    (["--webhook-attempts", "0"], "--webhook-timeout 和 --webhook-scan-interval 必须大于 0 秒，"
     "--webhook-backoff 不能小于 0，--webhook-attempts 至少为 1", "--webhook-timeout and "
     "--webhook-scan-interval must be above 0 seconds, --webhook-backoff at least 0, "
     "--webhook-attempts at least 1"),
])
def test_a_bad_option_is_refused_in_the_readers_language(
        option: list[str], chinese: str, english: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    tokens = tmp_path / "tokens.txt"
    tokens.write_text(TOKENS_TEXT, encoding="utf-8")
    base = ["--tokens", str(tokens), "--policy", str(POLICY), "--db", str(tmp_path / "x.db"),
            *option]
    assert said(capsys, *base) == f"policyengine：{chinese}\n"
    assert said(capsys, *base, "--lang", "en") == f"policyengine: {english}\n"
    assert not (tmp_path / "x.db").exists()


def test_the_webhook_options_are_refused_in_the_readers_language(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tokens = tmp_path / "tokens.txt"
    tokens.write_text(TOKENS_TEXT, encoding="utf-8")
    secret = tmp_path / "hook-secret"
    base = ["--tokens", str(tokens), "--policy", str(POLICY), "--db", str(tmp_path / "x.db")]
    hook = [*base, "--webhook", "http://127.0.0.1:9/", "--webhook-secret-file", str(secret)]
    assert said(capsys, *hook) == (
        f"policyengine：无法读取 webhook 密钥文件 {secret}：没有这个文件或文件夹\n")
    assert said(capsys, *hook, "--lang", "en") == (
        f"policyengine: cannot read the webhook secret file {secret}: No such file or "
        "directory\n")
    assert said(capsys, *base, "--webhook-secret-file", str(secret)) == (
        "policyengine：给了 --webhook-secret-file，却没有给 --webhook 地址\n")
    secret.write_text("short\n", encoding="utf-8")
    assert said(capsys, *hook) == "policyengine：webhook 密钥至少要 16 个字符，这里只有 5 个\n"
    assert said(capsys, *hook, "--lang", "en") == (
        "policyengine: a webhook secret needs at least 16 characters; it has 5\n")
    secret.write_text("0123456789abcdef0123\n", encoding="utf-8")
    bad = [*base, "--webhook", "file:///etc/passwd", "--webhook-secret-file", str(secret)]
    assert said(capsys, *bad) == (
        "policyengine：“file:///etc/passwd”不是带主机名的 http:// 或 https:// 地址\n")
    assert said(capsys, *bad, "--lang", "en") == (
        "policyengine: 'file:///etc/passwd' is not an http:// or https:// URL with a host\n")
    assert not (tmp_path / "x.db").exists()


class _NotRun:
    """Stands in for the uvicorn server: these tests stop before serving."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def run(self) -> None:
        pass


def test_the_start_is_told_in_the_policys_language_unless_lang_says(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(protocol, "server", _NotRun)
    monkeypatch.setattr(protocol, "fit_to_file_limit", lambda wanted: (
        100, protocol.line("serve.open_files", soft=164, cap=100, wanted=wanted)))
    monkeypatch.setenv("LANG", "en_US.UTF-8")  # the shipped policy says zh: it decides
    tokens = tmp_path / "tokens.txt"
    tokens.write_text(TOKENS_TEXT, encoding="utf-8")
    os.chmod(tokens, 0o600)
    db = tmp_path / "x.db"
    base = ["--tokens", str(tokens), "--policy", str(POLICY), "--db", str(db)]
    assert serve.main(base) == 0
    warning, started = capsys.readouterr().err.splitlines()
    assert warning == ("policyengine：警告：打开文件数的上限是 164：最多只能有 100 个连接，而不是 "
                       "4000 个（可用 `ulimit -n` 调高）")
    assert started.startswith("policyengine：制度包 customer-requirement，策略 customer-")
    assert f"；sqlite:///{db} 中有 0 条事实；4 个令牌；http://127.0.0.1:8080（OpenAPI：" in started
    assert serve.main([*base, "--lang", "en"]) == 0
    warning, started = capsys.readouterr().err.splitlines()
    assert warning == ("policyengine: warning: the limit on open files is 164: at most 100 "
                       "connections instead of 4000 (raise it with `ulimit -n`)")
    assert started.startswith("policyengine: pack customer-requirement, policy customer-")
    assert f"; 0 facts in sqlite:///{db}; 4 token(s); http://127.0.0.1:8080 (OpenAPI: " in started


def test_a_broken_policy_is_reported_before_serving(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tokens = tmp_path / "tokens.txt"
    tokens.write_text(TOKENS_TEXT, encoding="utf-8")
    policy = tmp_path / "policy.yaml"
    policy.write_text("policy: {id: x}\n", encoding="utf-8")
    argv = ["--tokens", str(tokens), "--policy", str(policy), "--db", str(tmp_path / "x.db")]
    assert serve.main(argv) == 2
    err = capsys.readouterr().err  # as `policyengine check` says it
    assert err.splitlines()[-1].endswith("：策略文件有错误，未作任何评估")
    assert f"{policy}:1:1: E-MISSING-KEY: 第 1 行第 1 列：缺少必填的键" in err
    assert serve.main([*argv, "--lang", "en"]) == 2
    assert capsys.readouterr().err.splitlines()[-1].endswith(
        ": the policy has errors; nothing was evaluated")
    assert not (tmp_path / "x.db").exists()


def test_an_unknown_database_url_is_reported(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tokens = tmp_path / "tokens.txt"
    tokens.write_text(TOKENS_TEXT, encoding="utf-8")
    argv = ["--tokens", str(tokens), "--policy", str(POLICY), "--db", "mysql://localhost/x"]
    assert said(capsys, *argv).startswith("policyengine：本服务不认识数据库“mysql://localhost/x”：")
    assert "not a database this service knows" in said(capsys, *argv, "--lang", "en")
    missing = tmp_path / "none" / "x.db"
    assert said(capsys, *argv[:-1], str(missing)) == (
        f"policyengine：无法创建数据库 {missing}：文件夹 {missing.parent} 不存在\n")


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


def test_the_command_line_refuses_in_chinese_by_default(tmp_path: Path) -> None:
    """`policyengine serve` itself: argparse's refusals and ours, by --lang, else the locale."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("LC_") and not k.startswith("POLICYENGINE_TOKENS")}

    def run(*words: str, lang: str = "C.UTF-8") -> subprocess.CompletedProcess[str]:
        code = "import sys; from policyengine.cli.main import main; sys.exit(main())"
        return subprocess.run([sys.executable, "-c", code, "serve", *words],
                              capture_output=True, text=True, cwd=tmp_path, timeout=120,
                              env={**env, "LANG": lang})

    done = run("--port", "abc")
    assert done.returncode == 2
    assert done.stderr.startswith("用法：policyengine serve [-h]")
    assert done.stderr.splitlines()[-1] == (
        "policyengine serve：错误：参数 --port 的值 'abc' 无效（应为整数）")
    done = run("--port", "abc", "--lang", "en")
    assert done.stderr.splitlines()[-1] == (
        "policyengine serve: error: argument --port: invalid int value: 'abc'")
    done = run("--max-batch", "0", "--tokens", str(tmp_path / "none.txt"))
    assert (done.returncode, done.stderr) == (2, "policyengine：无法读取令牌文件 "
                                              f"{tmp_path / 'none.txt'}：没有这个文件或文件夹\n")
    done = run("--db", str(tmp_path / "x.db"), lang="en_GB.UTF-8")
    assert done.returncode == 2 and done.stderr.startswith("policyengine: no tokens: ")
    assert not (tmp_path / "x.db").exists()
