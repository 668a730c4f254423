"""The two ways a scenario fails, both shown to the reader as plain text (no traceback)."""

from __future__ import annotations


class ScenarioFailure(Exception):
    """The result differs from what the scenario expects."""

    heading_zh = "结果与预期不符"
    heading_en = "the result differs from the expectation"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ScenarioError(ScenarioFailure):
    """The scenario itself cannot be run as written (unknown step, unreadable value ...)."""

    heading_zh = "场景写法有误"
    heading_en = "the scenario cannot be run as written"


class FeatureFileError(ScenarioError):
    """The .feature file has problems of its own (it does not parse, names repeat ...)."""

    heading_zh = "文件需要修改"
    heading_en = "the file needs fixing"
