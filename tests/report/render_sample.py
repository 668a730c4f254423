"""Report documents built by hand for the renderer tests: every column kind, highlighted
rows, several tables, Chinese text, a name that looks like a formula, an empty table, and a
policy stamp with uncommitted edits. Importable as `render_sample` (pytest puts this folder
on sys.path)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from policyengine.report.document import Column, ColumnKind, Document, ReportKind, Table

SHANGHAI = timezone(timedelta(hours=8))
AS_OF = datetime(2026, 10, 31, 18, 0, tzinfo=SHANGHAI)
FORMULA_NAME = '=HYPERLINK("http://x","y")'
SCRIPT_TEXT = '<script>alert("x")</script> & <b>粗体</b>'
REVISION = "0123456789abcdef0123456789abcdef01234567"

STAMP = {
    "id": "customer-requirements",
    "version": "2026.1",
    "content_hash": "sha256:" + "ab" * 32,
    "files": ["policy.yaml", "duties.yaml"],
    "git_revision": REVISION + "+dirty",
}

REGISTRY_COLUMNS = (
    Column("case", "需求编号"),
    Column("reporter", "填表人"),
    Column("reported_at", "登记时间", ColumnKind.DATETIME),
    Column("due", "预期交付日", ColumnKind.DATE),
    Column("amount", "扣款金额（元）", ColumnKind.MONEY),
    Column("count", "次数", ColumnKind.INTEGER),
    Column("rate", "采纳率", ColumnKind.PERCENT),
    Column("summary", "需求梗概", width=40),
)

REGISTRY_ROWS = (
    ("R-2026-001", "张三", datetime(2026, 10, 5, 9, 30, tzinfo=SHANGHAI), date(2026, 10, 20),
     Decimal("50"), 1, Decimal("0.5"), "客户希望在月报中增加按部门汇总的功能"),
    ("R-2026-002", FORMULA_NAME, datetime(2026, 10, 12, 14, 5, tzinfo=SHANGHAI),
     date(2026, 11, 3), Decimal("1250.5"), 12, Decimal("0.125"), SCRIPT_TEXT),
    ("R-2026-003", "-李四", datetime(2026, 10, 28, 17, 59, tzinfo=SHANGHAI), None,
     "当月无绩效", 0, Decimal("1"), "+86 电话回访；@客服 跟进"),
    ("R-2026-004", "王五", datetime(2026, 10, 30, 8, 0, tzinfo=SHANGHAI), date(2026, 12, 1),
     None, 3, Decimal("0"), "一段很长的说明" * 12),
)


def sample_document() -> Document:
    registry = Table(
        key="registry", title="需求登记反馈表", columns=REGISTRY_COLUMNS, rows=REGISTRY_ROWS,
        highlighted=frozenset({1, 3}), note="黄色行为本周新增的需求。")
    ranking = Table(
        key="ranking", title="采纳率排名 / 第[1]季度: 员工*", columns=(
            Column("rank", "名次", ColumnKind.INTEGER),
            Column("person", "员工"),
            Column("submitted", "提交数", ColumnKind.INTEGER),
            Column("rate", "采纳率", ColumnKind.PERCENT),
            Column("reward", "奖励上限（元）", ColumnKind.MONEY),
        ),
        rows=((1, "张三", 4, Decimal("0.75"), Decimal("500")),
              (2, "李四", 2, Decimal("0.5"), Decimal("300")),
              (2, "王五", 2, Decimal("0.5"), Decimal("1000"))),
        note="采纳率 = 采纳数 / 提交数；并列时名次相同。")
    empty = Table(key="delays", title="延期记录", columns=(
        Column("case", "需求编号"), Column("approved", "批准日期", ColumnKind.DATE)), rows=())
    return Document(
        kind=ReportKind.WEEKLY, lang="zh", title="新增需求收集周报", period="2026-W44",
        as_of=AS_OF, policy=STAMP,
        heading=(("部门", "客户服务部 & 研发部"), ("截止时间", "2026-10-29 18:00")),
        tables=(registry, ranking, empty),
        data={"registry": [dict(zip([c.key for c in REGISTRY_COLUMNS], row, strict=True))
                           for row in REGISTRY_ROWS]})


def wide_document(rows: int = 60) -> Document:
    """A one-table English document with twelve columns and many rows: landscape, several
    printed pages, so the repeated header row shows."""
    columns = (*(Column(f"c{i}", f"Column {i}") for i in range(10)),
               Column("amount", "Amount", ColumnKind.MONEY),
               Column("at", "At", ColumnKind.DATETIME))
    body = tuple((*(f"r{r} c{i} 中文" for i in range(10)), Decimal(r) + Decimal("0.25"),
                  datetime(2026, 10, 1, 9, 0) + timedelta(hours=r))
                 for r in range(rows))
    table = Table(key="wide", title="Deductions", columns=columns, rows=body,
                  highlighted=frozenset(range(0, rows, 7)))
    return Document(kind=ReportKind.DEDUCTIONS, lang="en", title="Performance deductions",
                    period="2026-10", as_of=datetime(2026, 10, 31, 18, 0), policy={
                        "id": "customer-requirements", "version": "2026.1",
                        "content_hash": "sha256:" + "cd" * 32, "git_revision": REVISION},
                    heading=(), tables=(table,))
