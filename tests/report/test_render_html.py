"""The printable HTML page, parsed: structure, escaping, nothing fetched, print rules."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser

from render_sample import FORMULA_NAME, REVISION, SCRIPT_TEXT, sample_document, wide_document

from policyengine.report.document import Document
from policyengine.report.render.html import render


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    children: list[Element | str] = field(default_factory=list)

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def find_all(self, tag: str) -> list[Element]:
        found = []
        for child in self.children:
            if isinstance(child, Element):
                if child.tag == tag:
                    found.append(child)
                found.extend(child.find_all(tag))
        return found

    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())


_VOID = {"meta", "link", "br", "img", "col", "input", "hr"}


class _Tree(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]
        self.tags: list[str] = []
        self.doctype = ""

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(element)
        if tag not in _VOID:
            self.stack.append(element)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack[-1].tag == tag, f"</{tag}> closes <{self.stack[-1].tag}>"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def _parse(doc: Document) -> tuple[_Tree, str]:
    page = render(doc).decode("utf-8")
    tree = _Tree()
    tree.feed(page)
    tree.close()
    assert tree.stack == [tree.root], "every element is closed"
    return tree, page


def _data_tables(tree: _Tree) -> list[Element]:
    return [t for t in tree.root.find_all("table") if "data" in t.classes()]


def test_page_head_language_and_title() -> None:
    tree, _ = _parse(sample_document())
    assert tree.doctype.lower() == "doctype html"
    html = tree.root.find_all("html")[0]
    assert html.attrs["lang"] == "zh-CN"
    assert tree.root.find_all("meta")[0].attrs["charset"] == "utf-8"
    assert tree.root.find_all("title")[0].text() == "新增需求收集周报 2026-W44"
    assert tree.root.find_all("h1")[0].text() == "新增需求收集周报"
    english, _ = _parse(wide_document(2))
    assert english.root.find_all("html")[0].attrs["lang"] == "en"


def test_title_block_has_period_as_of_headings_and_the_policy_with_its_warning() -> None:
    tree, _ = _parse(sample_document())
    stamp = next(t for t in tree.root.find_all("table") if "stamp" in t.classes())
    rows = {row.find_all("th")[0].text(): row.find_all("td")[0]
            for row in stamp.find_all("tr")}
    assert rows["期间"].text() == "2026-W44"
    assert rows["截至"].text() == "2026-10-31 18:00 UTC+08:00"
    assert rows["部门"].text() == "客户服务部 & 研发部"
    policy = rows["制度版本"]
    assert "customer-requirements 2026.1" in policy.text()
    assert "sha256:abababababab" in policy.text() and REVISION[:12] in policy.text()
    warning = policy.find_all("span")
    assert [w.text() for w in warning] == ["制度文件有未提交的修改"]
    assert "warning" in warning[0].classes()
    clean, _ = _parse(wide_document(2))
    assert not [s for s in clean.root.find_all("span") if "warning" in s.classes()]


def test_tables_have_a_header_row_in_thead_and_every_row_in_tbody() -> None:
    doc = sample_document()
    tree, _ = _parse(doc)
    tables = _data_tables(tree)
    assert len(tables) == len(doc.tables)
    for table, element in zip(doc.tables, tables, strict=True):
        thead = element.find_all("thead")
        assert len(thead) == 1
        assert [th.text() for th in thead[0].find_all("th")] == [c.header for c in table.columns]
        body_rows = element.find_all("tbody")[0].find_all("tr")
        assert len(body_rows) == max(1, len(table.rows))
    # the tables' own titles, and the note under the first
    assert [h.text() for h in tree.root.find_all("h2")] == [t.title for t in doc.tables]
    notes = [p.text() for p in tree.root.find_all("p") if "note" in p.classes()]
    assert notes == [doc.tables[0].note, doc.tables[1].note]


def test_cells_are_formatted_and_numbers_right_aligned() -> None:
    tree, _ = _parse(sample_document())
    registry, ranking, empty = _data_tables(tree)
    rows = [[(td.text(), td.classes()) for td in tr.find_all("td")]
            for tr in registry.find_all("tbody")[0].find_all("tr")]
    assert [text for text, _ in rows[1]] == [
        "R-2026-002", FORMULA_NAME, "2026-10-12 14:05", "2026-11-03", "1,250.50", "12", "12.50%",
        SCRIPT_TEXT]
    assert [css for _, css in rows[1]] == [
        {"text"}, {"text"}, {"date"}, {"date"}, {"num"}, {"num"}, {"num"}, {"text"}]
    assert rows[0][4][0] == "50.00"             # the column has cents somewhere: all show them
    assert rows[2][4] == ("当月无绩效", {"text"})
    assert rows[2][3] == ("", {"date"})
    money = [tr.find_all("td")[4].text() for tr in ranking.find_all("tbody")[0].find_all("tr")]
    assert money == ["500", "300", "1,000"]     # whole yuan
    (empty_row,) = empty.find_all("tbody")[0].find_all("tr")
    assert "empty" in empty_row.classes()
    assert empty_row.text() == "（无数据）"
    assert empty_row.find_all("td")[0].attrs["colspan"] == "2"


def test_highlighted_rows_are_marked() -> None:
    doc = sample_document()
    tree, _ = _parse(doc)
    rows = _data_tables(tree)[0].find_all("tbody")[0].find_all("tr")
    marked = {i for i, row in enumerate(rows) if "highlighted" in row.classes()}
    assert marked == set(doc.tables[0].highlighted)


def test_all_text_is_escaped() -> None:
    tree, page = _parse(sample_document())
    assert "<script" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;粗体&lt;/b&gt;" in page
    assert set(tree.tags) <= {"html", "head", "meta", "title", "style", "body", "header", "h1",
                              "h2", "table", "thead", "tbody", "tr", "th", "td", "span",
                              "section", "p"}


def test_nothing_is_fetched() -> None:
    tree, page = _parse(sample_document())
    for tag in ("link", "script", "img", "iframe", "object", "embed", "base"):
        assert tag not in tree.tags
    for element in (e for tag in set(tree.tags) for e in tree.root.find_all(tag)):
        for name, value in element.attrs.items():
            assert name not in ("src", "href", "srcset")
            assert "http" not in value and "url(" not in value
    style = tree.root.find_all("style")[0].text()
    assert "url(" not in style and "@import" not in style and "http" not in style
    # "http" appears only as the escaped text of the formula-like name
    assert page.count("http") == 1


def test_print_rules() -> None:
    tree, _ = _parse(sample_document())
    style = re.sub(r"\s+", " ", tree.root.find_all("style")[0].text())
    assert "@page { size: A4 landscape;" in style          # the registry has eight columns
    assert "thead { display: table-header-group; }" in style
    assert "break-inside: avoid" in style
    assert "print-color-adjust: exact" in style and "-webkit-print-color-adjust: exact" in style
    assert "tr.highlighted td { background: #ffff00" in style
    assert '"Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC"' in style
    assert "sans-serif" in style
    assert "td.num { text-align: right;" in style


def test_a_narrow_document_prints_portrait() -> None:
    doc = sample_document()
    narrow = Document(kind=doc.kind, lang=doc.lang, title=doc.title, period=doc.period,
                      as_of=doc.as_of, policy=doc.policy, heading=(), tables=doc.tables[1:])
    tree, _ = _parse(narrow)
    assert "size: A4 portrait;" in tree.root.find_all("style")[0].text()


def test_column_shares_follow_the_measured_widths() -> None:
    tree, _ = _parse(sample_document())
    headers = _data_tables(tree)[0].find_all("th")
    shares = [int(th.attrs["width"].rstrip("%")) for th in headers]
    assert 98 <= sum(shares) <= 102
    # the summary (width hint 40) gets the largest share, the count column the smallest
    assert shares[7] == max(shares) and shares[5] == min(shares)


def test_same_document_same_page() -> None:
    assert render(sample_document()) == render(sample_document())


def test_printed_pages_carry_the_title_and_page_numbers() -> None:
    tree, _ = _parse(sample_document())
    style = re.sub(r"\s+", " ", tree.root.find_all("style")[0].text())
    assert '@bottom-left { content: "新增需求收集周报 2026-W44";' in style
    assert '@bottom-right { content: "第 " counter(page) " 页，共 " counter(pages) " 页";' in style
    english = replace(sample_document(), lang="en", title='A "PAGE" </style><script>x')
    page = render(english).decode("utf-8")
    assert page.count("</style>") == 1 and "<script" not in page
    assert r'content: "A \22 PAGE\22  \3C /style\3E \3C script\3E x 2026-W44";' in page
    assert '"Page " counter(page) " of " counter(pages)' in page
