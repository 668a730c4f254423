"""A comparison of two evaluations (`policyengine diff`, `evaluate --against`) for people:
the per-person table and the changed violations in the reader's language, and the CSV."""

from __future__ import annotations

from policyengine.compare import Comparison
from policyengine.language import Lang
from policyengine.report.csvfile import csv_text
from policyengine.report.labels import label
from policyengine.report.names import person_sort_key
from policyengine.report.text import table
from policyengine.results import money_number, money_text


def comparison_table(comparison: Comparison, lang: Lang = "zh") -> str:
    out = [label("diff.title", lang, old=comparison.old_label, new=comparison.new_label), ""]
    if comparison.unchanged:
        return "\n".join([*out, label("diff.unchanged", lang), ""])
    yes, no = label("word.yes", lang), label("word.no", lang)
    rows = []
    for p in sorted(comparison.people, key=lambda p: person_sort_key(p.person, lang)):
        if not p.changed:
            continue
        forfeit = ("" if p.old_forfeit == p.new_forfeit
                   else label("diff.forfeit", lang, old=yes if p.old_forfeit else no,
                              new=yes if p.new_forfeit else no))
        rows.append([p.person or label("who.unresolved", lang), money_text(p.old_amount),
                     money_text(p.new_amount), money_text(p.change, signed=True), forfeit])
    out += table([label("col.person", lang), label("diff.old", lang), label("diff.new", lang),
                  label("diff.change", lang), ""], rows, right=(1, 2, 3))
    out += ["", label("diff.violations", lang, count=len(comparison.violations))]
    for v in comparison.violations:
        kind = label(f"diff.{v.kind}", lang)
        out.append(f"  {kind:8} {v.duty} {v.case or label('case.none', lang)} "
                   f"{v.person or label('who.unresolved', lang)}")
        for name, (was, now) in v.fields.items():
            out.append(f"           {name}: {was} → {now}")
        why = v.why_zh if lang == "zh" and v.why_zh else v.why
        out.append(f"           {label('diff.why', lang)}: {why}")
    return "\n".join(out) + "\n"


def comparison_csv(comparison: Comparison, lang: Lang = "en") -> str:
    """Changed people as CSV (BOM and formula escape: csvfile.py). English: the machine keys as
    headers, True/False and the comparison's order, byte for byte as integrators read it;
    Chinese: headers and 是/否 in words, people in pinyin order."""
    people = [p for p in comparison.people if p.changed]
    if lang == "zh":
        people.sort(key=lambda p: person_sort_key(p.person, lang))

    def flag(value: bool) -> object:
        return value if lang == "en" else label("word.yes" if value else "word.no", lang)

    rows = [[p.person or "", money_number(p.old_amount), money_number(p.new_amount),
             money_number(p.change), flag(p.old_forfeit), flag(p.new_forfeit)] for p in people]
    return csv_text([label(f"csv.{key}", lang) for key in
                     ("person", "old_amount", "new_amount", "change", "old_forfeit",
                      "new_forfeit")], rows)
