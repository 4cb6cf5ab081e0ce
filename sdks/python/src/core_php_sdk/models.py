"""Every model of the API (generated from the OpenAPI document's components)."""

from ._base import ApiModel
from ._generated.models import *  # noqa: F403
from ._generated.models import __all__ as _generated

__all__ = ["ApiModel", *_generated]
