"""The Python SDK of the platform API: ``from core_php_sdk import Client``."""

from . import models, webhooks
from ._async import AsyncListIterator
from ._base import NOT_GIVEN, ApiModel, NotGiven
from ._client import AsyncClient, Client
from ._core import ListIterator, Page, RateLimit
from ._errors import (
    ApiConnectionError,
    ApiError,
    ApiTimeoutError,
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    ValidationError,
)
from ._version import __version__
from .webhooks import WebhookVerificationError

__all__ = [
    "NOT_GIVEN",
    "ApiConnectionError",
    "ApiError",
    "ApiModel",
    "ApiTimeoutError",
    "AsyncClient",
    "AsyncListIterator",
    "AuthenticationError",
    "Client",
    "ConflictError",
    "ListIterator",
    "NotFoundError",
    "NotGiven",
    "Page",
    "PermissionDeniedError",
    "RateLimit",
    "RateLimitError",
    "ServerError",
    "ValidationError",
    "WebhookVerificationError",
    "__version__",
    "models",
    "webhooks",
]
