"""The rendered files print: LibreOffice converts the xlsx and the html to PDF, chromium
prints the html as a browser does, and the PDFs are A4, carry a CJK font (Chinese is drawn,
not boxes) and show the yellow rows. Under CI (CI=true) a missing tool fails the test:
`.ci/desktop.sh` installs them; elsewhere the tests are skipped with that hint."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from render_sample import sample_document, wide_document

from policyengine.report.render import html, xlsx

TIMEOUT = 180


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed (bash .ci/desktop.sh installs it)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT,
                            check=False)
    assert result.returncode == 0, f"{command[0]} failed: {result.stdout}{result.stderr}"
    return result


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("render")
    for name, doc in (("weekly", sample_document()), ("wide", wide_document(60))):
        (folder / f"{name}.xlsx").write_bytes(xlsx.render(doc))
        (folder / f"{name}.html").write_bytes(html.render(doc))
    return folder


def _soffice(files: Path, out: str, *arguments: str) -> Path:
    soffice = _tool("soffice")
    target = files / out
    # A profile of its own: no clash with a LibreOffice the user has open.
    _run(soffice, f"-env:UserInstallation={(files / 'lo-profile').as_uri()}", "--headless",
         "--norestore", *arguments, "--outdir", str(target))
    return target


@pytest.fixture(scope="module")
def xlsx_pdfs(files: Path) -> Path:
    return _soffice(files, "xlsx-pdf", "--convert-to", "pdf", str(files / "weekly.xlsx"),
                    str(files / "wide.xlsx"))


@pytest.fixture(scope="module")
def html_pdfs(files: Path) -> Path:
    # Writer's own HTML import: the Writer/Web filter loses the page's first paragraph.
    return _soffice(files, "html-pdf", "--infilter=HTML (StarWriter)", "--convert-to",
                    "pdf:writer_pdf_Export", str(files / "weekly.html"),
                    str(files / "wide.html"))


@pytest.fixture(scope="module")
def chromium_pdfs(files: Path) -> Path:
    chromium = _tool("chromium")
    target = files / "chromium-pdf"
    target.mkdir()
    for name in ("weekly", "wide"):
        _run(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
             f"--user-data-dir={files / 'chromium-profile'}",
             f"--print-to-pdf={target / (name + '.pdf')}", (files / f"{name}.html").as_uri())
    return target


def _pdf_facts(pdf: Path) -> tuple[int, str, str, str]:
    """Pages, page size line, fonts, text of a PDF (poppler-utils)."""
    assert pdf.read_bytes().startswith(b"%PDF"), pdf
    info = _run(_tool("pdfinfo"), str(pdf)).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]
    size = re.search(r"^Page size:\s+(.*)$", info, re.M).group(1)    # type: ignore[union-attr]
    fonts = _run(_tool("pdffonts"), str(pdf)).stdout
    text = _run(_tool("pdftotext"), str(pdf), "-").stdout
    return pages, size, fonts, text


def _has(text: str, words: str) -> bool:
    """Whether the words are in the text, wherever a narrow column wrapped them."""
    return re.sub(r"\s", "", words) in re.sub(r"\s", "", text)


def _yellow_pixels(pdf: Path, page: int = 1) -> int:
    """Pure-yellow pixels on a page drawn at 20 dpi (pdftoppm's plain PPM, read by hand)."""
    stem = pdf.with_suffix("")
    _run(_tool("pdftoppm"), "-r", "20", "-f", str(page), "-l", str(page), "-singlefile",
         str(pdf), str(stem))
    data = stem.with_suffix(".ppm").read_bytes()
    magic, width, height, depth, pixels = data.split(maxsplit=4)
    assert magic == b"P6" and depth == b"255"
    assert len(pixels) == int(width) * int(height) * 3
    return sum(1 for i in range(0, len(pixels), 3) if pixels[i:i + 3] == b"\xff\xff\x00")


def _landscape_a4(size: str) -> bool:
    return "A4" in size and size.startswith("841")


def test_libreoffice_prints_the_workbook(xlsx_pdfs: Path) -> None:
    pages, size, fonts, text = _pdf_facts(xlsx_pdfs / "weekly.pdf")
    assert pages == 3                            # a page per sheet, each fits one page
    assert "A4" in size
    assert "CJK" in fonts                        # Chinese drawn with a font that has it
    for words in ("新增需求收集周报", "需求登记反馈表", "有未提交的修改", "当月无绩效",
                  '=HYPERLINK("http://x","y")', "1,250.50", "2026-10-12 14:05", "12.50%",
                  "第 1 页，共 3 页"):
        assert _has(text, words), words
    assert _yellow_pixels(xlsx_pdfs / "weekly.pdf") > 0


def test_libreoffice_repeats_the_header_row_of_a_long_sheet(xlsx_pdfs: Path) -> None:
    pages, size, _, text = _pdf_facts(xlsx_pdfs / "wide.pdf")
    assert pages >= 2 and _landscape_a4(size)
    per_page = text.split("\f")
    assert all("Column 0" in page for page in per_page if page.strip())


def test_libreoffice_converts_the_page(html_pdfs: Path) -> None:
    pages, size, fonts, text = _pdf_facts(html_pdfs / "weekly.pdf")
    assert pages >= 1 and _landscape_a4(size)
    assert "CJK" in fonts
    for words in ("新增需求收集周报", "有未提交的修改", "当月无绩效", "（无数据）"):
        assert _has(text, words), words


def test_chromium_prints_the_page(chromium_pdfs: Path) -> None:
    pages, size, _, text = _pdf_facts(chromium_pdfs / "weekly.pdf")
    # the long summary wraps (the short columns keep their width), the empty table may
    # go over to a second page
    assert pages in (1, 2) and _landscape_a4(size)
    # Chromium embeds unnamed Type 3 fonts, so the font list cannot say which font drew the
    # Chinese; what it can use is a font the system has for Chinese.
    assert "Noto Sans CJK SC" in _run(_tool("fc-list"), ":lang=zh", "family").stdout
    for words in ("新增需求收集周报", "有未提交的修改", '=HYPERLINK("http://x","y")',
                  '<script>alert("x")</script>', "1,250.50", "（无数据）",
                  "R-2026-001", "2026-10-12 14:05"):  # a number and a time kept whole
        assert _has(text, words), words
    assert _yellow_pixels(chromium_pdfs / "weekly.pdf") > 0


def test_chromium_repeats_the_header_row_on_every_page(chromium_pdfs: Path) -> None:
    pages, size, _, text = _pdf_facts(chromium_pdfs / "wide.pdf")
    assert pages >= 2 and _landscape_a4(size)
    per_page = [page for page in text.split("\f") if page.strip()]
    assert len(per_page) == pages
    assert all("Column 0" in page for page in per_page)
    assert all(_yellow_pixels(chromium_pdfs / "wide.pdf", page) > 0
               for page in range(1, pages + 1))


def test_chromium_numbers_every_printed_page(chromium_pdfs: Path) -> None:
    # The foot of each page, as the workbook's: report, period, "page N of M", without
    # the browser's own header and footer (which would print the file's path instead).
    for name, title, page in (("wide", "Performance deductions 2026-10", "Page {} of {}"),
                              ("weekly", "新增需求收集周报 2026-W44", "第 {} 页，共 {} 页")):
        pages, _, _, text = _pdf_facts(chromium_pdfs / f"{name}.pdf")
        per_page = [part for part in text.split("\f") if part.strip()]
        assert len(per_page) == pages
        for number, part in enumerate(per_page, start=1):
            assert _has(part, title), (name, number)
            assert _has(part, page.format(number, pages)), (name, number)
