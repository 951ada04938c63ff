"""The ledger's models: matters and their timeline (``ledger``), joint meetings and
supervision notices (``meetings``)."""

from .calendar import *  # noqa: F401,F403
from .calendar import __all__ as _calendar_all
from .ledger import *  # noqa: F401,F403
from .ledger import __all__ as _ledger_all
from .meetings import *  # noqa: F401,F403
from .meetings import __all__ as _meetings_all
from .reports import *  # noqa: F401,F403
from .reports import __all__ as _reports_all

__all__ = [*_calendar_all, *_ledger_all, *_meetings_all, *_reports_all]
