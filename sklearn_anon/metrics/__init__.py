"""Privacy and utility measures: privacy models (k, l, t), re-identification
risk, attacks, information loss, scorers for grid searches, and the report."""

from ._attacks import *  # noqa: F401,F403
from ._attacks import __all__ as _attacks_all
from ._privacy_models import *  # noqa: F401,F403
from ._privacy_models import __all__ as _privacy_models_all
from ._report import *  # noqa: F401,F403
from ._report import __all__ as _report_all
from ._risk import *  # noqa: F401,F403
from ._risk import __all__ as _risk_all
from ._scorers import *  # noqa: F401,F403
from ._scorers import __all__ as _scorers_all
from ._synthetic_quality import *  # noqa: F401,F403
from ._synthetic_quality import __all__ as _synthetic_quality_all
from ._utility import *  # noqa: F401,F403
from ._utility import __all__ as _utility_all

__all__ = [
    *_privacy_models_all,
    *_risk_all,
    *_attacks_all,
    *_utility_all,
    *_scorers_all,
    *_report_all,
    *_synthetic_quality_all,
]
