"""A folder of packs (policies/): a path to it means its default pack, `pack=` picks another,
and every mistake in choosing one is a located error that lists the packs (D22)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import POLICY_DIR, POLICY_LIBRARY, SECOND_PACK, pack_library

import policyengine as pe
from policyengine.errors import PolicyError
from policyengine.policy.loader import load_policy_files
from policyengine.policy.packs import layout, library_at, resolve


def diagnostics(path: Path, pack: str | None = None) -> list[str]:
    with pytest.raises(PolicyError) as caught:
        load_policy_files(path, pack)
    return [str(d) for d in caught.value.diagnostics]


def test_the_repository_policies_folder_is_the_default_pack() -> None:
    library = library_at(POLICY_LIBRARY)
    assert library is not None
    assert library.default == "customer-requirement"
    assert [(p.name, p.title, p.title_en) for p in library.packs] == [
        ("contract-performance", "合同履约、变更管理制度",
         "Contract performance and change management policy"),
        ("customer-grading", "客户分级管理制度", "Customer grading policy"),
        ("customer-requirement", "客户需求反馈及跟进制度",
         "Customer requirement feedback and follow-up policy"),
        ("order-flow", "客户订单流程管理制度", "Customer order flow policy")]
    via_library = load_policy_files(POLICY_LIBRARY)
    direct = load_policy_files(POLICY_DIR)
    # the same files, so the same identity; both know the pack they are
    assert via_library.identity == direct.identity
    assert via_library.identity.pack == "customer-requirement"
    assert via_library.identity.to_dict()["pack"] == "customer-requirement"
    assert resolve(POLICY_LIBRARY).path == POLICY_LIBRARY / "customer-requirement"


def test_a_pack_is_picked_by_name_and_the_default_otherwise(tmp_path: Path) -> None:
    library = pack_library(tmp_path / "policies")
    assert pe.load_policy(library).model.policy.id == "customer-requirement-feedback"
    loan = pe.load_policy(library, "equipment-loan")
    assert loan.model.policy.id == "equipment-loan"
    assert loan.identity is not None and loan.identity.pack == "equipment-loan"
    assert set(loan.model.fact_types) == {"role.assigned", "device.borrowed", "device.returned"}
    # a pack folder given directly keeps its pack name
    assert load_policy_files(library / "equipment-loan").identity.pack == "equipment-loan"
    # a policy folder with no packs.yaml next to it is no pack
    alone = tmp_path / "alone"
    shutil.copytree(SECOND_PACK, alone)
    assert load_policy_files(alone).identity.pack is None


def test_an_unknown_pack_is_located_at_packs_yaml_and_lists_the_packs(tmp_path: Path) -> None:
    library = pack_library(tmp_path / "policies")
    with pytest.raises(PolicyError) as caught:
        load_policy_files(library, "equipment-lone")
    [found] = caught.value.diagnostics
    assert str(found) == (f"{library / 'packs.yaml'}:2:1: E-PACK-UNKNOWN: there is no pack "
                          f"'equipment-lone' in {library}; did you mean 'equipment-loan'?; "
                          "the packs: customer-requirement, equipment-loan")
    assert found.message_zh == (f"{library} 里没有名为“equipment-lone”的制度包；是不是想写"
                                "“equipment-loan”？；现有的制度包：customer-requirement, "
                                "equipment-loan")


def test_without_packs_yaml_one_pack_is_the_default_and_two_need_a_choice(
        tmp_path: Path) -> None:
    one = tmp_path / "one"
    (one / "loan").mkdir(parents=True)
    for file in SECOND_PACK.iterdir():
        (one / "loan" / file.name).write_text(file.read_text(encoding="utf-8"),
                                              encoding="utf-8")
    assert load_policy_files(one).model.policy.id == "equipment-loan"
    two = pack_library(tmp_path / "two", packs_yaml=None)
    [found] = diagnostics(two)
    assert found == (f"{two}: E-PACK-DEFAULT: {two} holds several packs and packs.yaml names "
                     "no default: choose one with --pack NAME; the packs: "
                     "customer-requirement, equipment-loan")
    assert load_policy_files(two, "equipment-loan").identity.pack == "equipment-loan"


def test_mistakes_in_packs_yaml_are_located(tmp_path: Path) -> None:
    library = pack_library(tmp_path / "policies", packs_yaml=(
        "default: customer-requirment\n"
        "packs:\n"
        "  equipment-loan: {title: 设备借用管理制度, titel_en: Equipment loan}\n"
        "  archive: {title: 档案管理}\n"
        "defualt: x\n"))
    found = diagnostics(library)
    packs = library / "packs.yaml"
    assert found == [
        f"{packs}:1:10: E-PACK-DEFAULT: the default pack 'customer-requirment' is not a folder "
        "of this library (a sub-folder with a policy.yaml); did you mean "
        "'customer-requirement'?",
        f"{packs}:3:37: E-PACKS-FILE: packs.yaml is a mapping with 'default: NAME' and "
        "'packs:' (each pack: title, title_en); did you mean 'title_en'?",
        f"{packs}:4:3: E-PACK-MISSING: the pack 'archive' is listed here but there is no "
        "folder archive/ with a policy.yaml next to this file",
        f"{packs}:5:1: E-UNKNOWN-KEY: packs.yaml is a mapping with 'default: NAME' and "
        "'packs:' (each pack: title, title_en); did you mean 'default'?"]


def test_a_pack_named_for_a_single_policy_is_an_error(tmp_path: Path) -> None:
    alone = tmp_path / "alone"
    shutil.copytree(SECOND_PACK, alone)
    [found] = diagnostics(alone, "customer-requirement")
    assert found == (f"{alone}: E-PACK-NOT-LIBRARY: --pack customer-requirement: "
                     f"{alone} is one policy, not a folder of packs (a folder of packs "
                     "has sub-folders with a policy.yaml each)")


def test_the_layout_rules_read_a_listing_as_on_disk() -> None:
    """The same rules read a folder at a git revision (cli/common.git_policy_texts)."""
    flat = ["policy.yaml", "duties.yaml", "penalties.yaml"]
    assert layout(flat, lambda: None, "REV:policies") is None           # before D22
    packs = ["packs.yaml", "a/policy.yaml", "a/duties.yaml", "b/policy.yaml"]
    library = layout(packs, lambda: "default: b\n", "REV:policies")
    assert library is not None and library.names() == ["a", "b"]
    assert library.pick(None).name == "b" and library.pick("a").name == "a"
    assert layout(["notes/readme.yaml"], lambda: None, "x") is None     # not packs either
