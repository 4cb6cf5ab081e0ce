"""The single table: the pynamodb base every stored item derives from, and a cached low-level client.

Key design (docs/data-model.md has the full access-pattern table):
    PK / SK           the item's home partition and sort key
    GSI1PK / GSI1SK   the first alternate access path (e.g. "by owner", "by email")
    GSI2PK / GSI2SK   the second alternate access path (declared in the template, written by nothing yet)
    ttl               epoch seconds; DynamoDB's TTL deletes the item after it
"""

from __future__ import annotations

from typing import Any

import pynamodb.connection.base
from pynamodb.attributes import MapAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from platform_api import clients
from platform_api.settings import get_settings

_settings = get_settings()
# Every model's connection draws its client from the container's one botocore session (platform_api.clients):
# pynamodb would open a session per model class, each parsing the DynamoDB service model again.
pynamodb.connection.base.get_session = clients.session


class TableItem(Model):
    """Base of every item in the table. Subclasses add their attributes and key helpers."""

    class Meta:
        table_name = _settings.table_name
        region = _settings.region
        host = _settings.dynamodb_endpoint_url

    PK = UnicodeAttribute(hash_key=True)
    SK = UnicodeAttribute(range_key=True)


class Gsi1Index(GlobalSecondaryIndex):
    """GSI1 (projects ALL). One class serves every model: pynamodb binds a copy of the index to each model."""

    class Meta:
        index_name = "GSI1"
        projection = AllProjection()

    GSI1PK = UnicodeAttribute(hash_key=True)
    GSI1SK = UnicodeAttribute(range_key=True)


class Gsi1Item(TableItem):
    """An item on the first alternate access path: query it through `Model.gsi1`."""

    GSI1PK = UnicodeAttribute(null=True)
    GSI1SK = UnicodeAttribute(null=True)

    gsi1 = Gsi1Index()


def number_map(raw: Any) -> dict[str, int]:
    """A raw MapAttribute of numbers (window -> limit, feature -> limit) as a plain dict; {} when absent."""
    values = raw.as_dict() if isinstance(raw, MapAttribute) else dict(raw or {})
    return {name: int(value) for name, value in values.items()}


class TtlMixin:
    ttl = NumberAttribute(null=True)


def client() -> Any:
    """The container's low-level DynamoDB client, for what pynamodb does not express."""
    return clients.client("dynamodb")


def table_name() -> str:
    return _settings.table_name
