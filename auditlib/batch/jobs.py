"""What the run hands a worker (AgencyJob) and what a worker hands back (AgencyRecord): frozen, typed, picklable."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from auditlib.batch.kernels import AGENCIES_PER_KERNEL


@dataclass(frozen=True)
class Hashes:
    """What a page depends on besides its report: parameters (with cross-report findings and score), notebook, code."""

    params_hash: str
    notebook_hash: str
    code_hash: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


@dataclass(frozen=True)
class RunSettings:
    """What every agency job of one run shares."""

    out_dir: str
    notebook: str
    params: Mapping[str, Any]
    asset: str  # the Vega bundle's file name in DIR/assets/
    timeout: int | None
    vega_inline: str = ""  # the bundle itself, for self-contained pages
    kernel_uses: int = AGENCIES_PER_KERNEL  # notebooks one warm kernel runs before it is replaced; 1: a fresh kernel for each


@dataclass(frozen=True)
class AgencyJob:
    """One report to run through the agency notebook, with what the parent's audit of the batch found."""

    report: str  # absolute path
    settings: RunSettings
    sha256: str  # of the report's bytes; "" when unreadable
    agency: str | None
    year: int | None
    error: str | None  # why the report could not be read
    findings: tuple[dict[str, Any], ...]  # every finding, own then cross-report (`audit_batch` order)
    corpus_findings: tuple[dict[str, Any], ...]  # the cross-report ones, the notebook's parameter
    score: dict[str, Any] | None  # the notebook's `score` parameter
    score_row: dict[str, Any]  # the agency's row of `scores_frame`
    hashes: Hashes
    batch_context: dict[str, Any] | None = None  # the notebook's `batch_context` (render.context.batch_contexts)


@dataclass(frozen=True)
class AgencyRecord:
    """What the run knows about one agency's page: manifest.json's entry and summary.json's source (`as_dict`)."""

    key: str
    report: str
    agency: str | None
    year: int | None
    status: str  # ok | unreadable | failed
    error: str | None
    page: str
    notebook: str
    errors: int
    warnings: int
    infos: int
    worst_rule: str | None
    seconds: float
    sha256: str
    params_hash: str
    notebook_hash: str
    code_hash: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
