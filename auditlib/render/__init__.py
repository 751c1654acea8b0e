"""What an inspector reads, as escaped HTML: template-shaped tables, findings and their drill-down, the overview.

- `data`: the findings frame, which findings a page selects, counts, drill-down records
- `protocol`: the batch ↔ agency-notebook parameters (`score`, `corpus_findings`) and `agency_page`
- `run`: what the overview reads from a run folder (`load_run`, `grade_counts`)
- `context`: what the batch knows across reports that a page shows (`batch_contexts`, the `batch_context`
  parameter); `evidence`: each finding's evidence (passages side by side, both years' rows, a section's
  text, a sentence in context); `history`: the agency across years and among its peers
- `tables`, `pages`, `overview`: the HTML, printed by the Jinja2 templates in `templates/`
  (autoescaped) with the styles and scripts of `static/`
"""

from auditlib.render.context import BatchContext, RelatedReport, batch_contexts, context_from_param
from auditlib.render.data import (
    SEVERITIES,
    SEVERITY_COLORS,
    UNSCORED,
    CellInfo,
    FindingDetail,
    cell_highlights,
    cell_text,
    finding_detail,
    finding_details,
    findings_frame,
    rule_doc,
    rule_label,
    rule_name,
    score_text,
    select_findings,
    selected_indices,
    severity_counts,
    severity_label,
    worst_rule,
)
from auditlib.render.env import HtmlFragment, esc
from auditlib.render.evidence import section_lines
from auditlib.render.history import history_html
from auditlib.render.overview import (
    ALL_YEARS,
    overview_heading_html,
    overview_table_html,
    rules_html,
    run_years,
    year_run,
)
from auditlib.render.pages import (
    finding_detail_html,
    findings_html,
    heading_html,
    score_html,
    source_lines_html,
    summary_html,
)
from auditlib.render.protocol import (
    SINGLE_REPORT_NOTE,
    AgencyPage,
    agency_page,
    finding_from_dict,
    score_from_param,
    score_param,
)
from auditlib.render.run import (
    GRADE_COLORS,
    STATUS_LABELS,
    SUMMARY_SCHEMA,
    RunData,
    grade_color,
    grade_counts,
    load_run,
)
from auditlib.render.tables import table_html, tables_html

__all__ = [
    "BatchContext", "RelatedReport", "batch_contexts", "context_from_param", "history_html", "rule_label",
    "rule_name", "section_lines",
    "GRADE_COLORS", "SEVERITIES", "SEVERITY_COLORS", "SINGLE_REPORT_NOTE", "STATUS_LABELS", "SUMMARY_SCHEMA",
    "UNSCORED", "AgencyPage", "CellInfo", "FindingDetail", "HtmlFragment", "RunData", "agency_page",
    "cell_highlights", "cell_text", "esc", "finding_detail", "finding_detail_html", "finding_details",
    "finding_from_dict", "findings_frame", "findings_html", "grade_color", "grade_counts", "heading_html",
    "load_run", "overview_heading_html", "overview_table_html", "rule_doc", "rules_html", "score_from_param",
    "score_html", "score_param", "score_text", "select_findings", "selected_indices", "severity_counts",
    "severity_label", "source_lines_html", "summary_html", "table_html", "tables_html", "worst_rule",
    "ALL_YEARS", "run_years", "year_run",
]
