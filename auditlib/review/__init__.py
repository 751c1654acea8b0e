"""The inspector's review: a decision per finding, cell corrections, kept in `<out>/review.sqlite`.

identity  — the stable key of a finding (what is and is not in it, and why)
records   — what the store holds: a decision (Status), a correction, the report they belong to
store     — the SQLite store (WAL, transactions, append-only history)
apply     — corrections applied to a report, decisions to findings, the score and exports
excel     — findings.xlsx review columns and the all-or-nothing import
cli       — `auditlib review list|set|correct|history|import|export`
"""

from auditlib.review.apply import (
    COUNT_COLUMNS,
    REVIEW_HEADERS,
    AppliedCorrection,
    Reviewed,
    ReviewState,
    apply_corrections,
    correct_outcome,
    correction_text,
    effective_findings,
    exclusions,
    record_correction,
    review_columns,
    review_counts,
    review_state,
    score_outcomes_reviewed,
    score_reviewed,
)
from auditlib.review.excel import (
    ImportResult,
    ReviewImportError,
    add_review_validation,
    annotate_findings_xlsx,
    import_review_xlsx,
    keep_unimported,
)
from auditlib.review.folder import FolderError, folder_findings
from auditlib.review.identity import agency_identity, claim, finding_key, key_of
from auditlib.review.records import (
    GONE_LABEL,
    STATUS_LABELS,
    Correction,
    Decision,
    ReportIdentity,
    Status,
    parse_status,
    report_identity,
)
from auditlib.review.store import STORE_NAME, ReviewStore, StoreError, open_store

__all__ = [
    "COUNT_COLUMNS",
    "GONE_LABEL",
    "REVIEW_HEADERS",
    "STATUS_LABELS",
    "STORE_NAME",
    "AppliedCorrection",
    "Correction",
    "Decision",
    "FolderError",
    "ImportResult",
    "ReportIdentity",
    "ReviewImportError",
    "ReviewState",
    "ReviewStore",
    "Reviewed",
    "Status",
    "StoreError",
    "add_review_validation",
    "agency_identity",
    "annotate_findings_xlsx",
    "apply_corrections",
    "claim",
    "correct_outcome",
    "correction_text",
    "effective_findings",
    "exclusions",
    "finding_key",
    "folder_findings",
    "import_review_xlsx",
    "keep_unimported",
    "key_of",
    "open_store",
    "parse_status",
    "record_correction",
    "report_identity",
    "review_columns",
    "review_counts",
    "review_state",
    "score_outcomes_reviewed",
    "score_reviewed",
]
