"""The old home of the page builders, kept so notebooks, widgets and tests written against it keep working.

Everything lives in `auditlib.render` now (data helpers, the batch ↔ notebook protocol, the run reader,
the HTML renderers); this module re-exports it.
"""

from auditlib.render import *  # noqa: F403
from auditlib.render import __all__  # noqa: F401
