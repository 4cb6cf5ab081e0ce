"""Response envelopes and the helpers every group's output models use.

Output models document a route's 2xx body in the OpenAPI document (the SDKs are generated from it). They
never serialize a response: routes return the dicts the domain shapes, and declare their model with
`responses=answers(Model)` on the route decorator, so the bytes on the wire are exactly what they were.
tests/unit/test_response_contract.py validates real bodies of every route against the generated document
with unknown fields refused, so a model that misses a field a route returns fails there.

    one object      {"data": {...}}                                   Envelope[T]
    a list          {"data": [...], "meta": {...}, "links": {...}}    ListEnvelope[T] (platform_api.query)

A field that is not always in the body (a sparse fieldset, `fields=`; an `include=`) is typed `X | MISSING`
with the default `MISSING`: it is optional in the schema (not `required`) and keeps its type (`null` only
where the value itself can be null).
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import TYPE_CHECKING, Annotated, Any, Generic, TypeVar, Union, cast, get_args, get_origin

from pydantic import MISSING, BaseModel, ConfigDict, Field, create_model

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse, OpenAPIResponseContentSchema

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)
_UNION: Any = Union  # indexed with run-time types (a field's annotation), which mypy cannot check

SPARSE = "Absent when a sparse fieldset (`fields=`) leaves it out."
# Every timestamp the API answers: ISO 8601 UTC to the second (platform_api.timeutil.isoformat).
Timestamp = Annotated[str, Field(json_schema_extra={"format": "date-time"}, examples=["2025-01-15T10:00:00Z"])]


class OutModel(BaseModel):
    """Base of output models: built on first use (`defer_build`), so the models a function only documents
    cost nothing at its cold start."""

    model_config = ConfigDict(defer_build=True)


class InModel(BaseModel):
    """Base of request bodies: built on first use (`defer_build`) too, so a cold start builds only the body its
    first request validates, not every body the function's routes accept."""

    model_config = ConfigDict(defer_build=True)


def _type_name(param: Any) -> str:
    args = get_args(param)
    if get_origin(param) is list and args:
        return f"{_type_name(args[0])}Array"
    return str(getattr(param, "__name__", param))


class Envelope(OutModel, Generic[T]):
    """One object: `{"data": {...}}`."""

    data: T

    @classmethod
    def model_parametrized_name(cls, params: tuple[Any, ...]) -> str:
        # The schema's title; local/openapi.py keys the component by it (`UserOutEnvelope`, not `Envelope_UserOut_`).
        return f"{_type_name(params[0])}Envelope"


class ListMeta(OutModel):
    """Both reference documents' pagination keys (`page` = `current_page`, `total_pages` = `last_page`)."""

    page: int | None = Field(description="The page number; null when paging by `cursor`.")
    current_page: int | None = Field(description="Same as `page` (document 004's name).")
    per_page: int
    total: int | None = Field(
        description="Items matching the query, across all pages; null where only reading every match could count"
        " them (docs/query-language.md lists which queries carry an exact total)."
    )
    total_pages: int | None = Field(description="At least 1; null when `total` is null.")
    last_page: int | None = Field(description="Same as `total_pages` (document 004's name).")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class ListLinks(OutModel):
    """Absolute links that keep the request's other query parameters."""

    first: str
    last: str | None = Field(description="Null when the total is not known (see `meta.total`).")
    prev: str | None = Field(description="Null on the first page (and when paging by cursor).")
    next: str | None = Field(description="Null on the last page.")


class ListEnvelope(OutModel, Generic[T]):
    """A page of a list: `{"data": [...], "meta": {...}, "links": {...}}` (platform_api.query.list_response)."""

    data: list[T]
    meta: ListMeta
    links: ListLinks

    @classmethod
    def model_parametrized_name(cls, params: tuple[Any, ...]) -> str:
        return f"{_type_name(params[0])}List"


def sparse(
    model: type[BaseModel], *, keep: tuple[str, ...] = ("id",), absent: str = SPARSE
) -> Callable[[type[M]], type[M]]:
    """Class decorator: the decorated class becomes `model` as a sparse fieldset returns it (`fields=`): the
    `keep` fields always, every other field optional, its description saying when it is absent (`absent`).
    The class gives the name and the docstring; a field it declares replaces the model's field of that name
    (an `include=` that embeds an object where the id was)."""

    def build(declared: type[M]) -> type[M]:
        fields: dict[str, Any] = {}
        for field_name, original in model.model_fields.items():
            info = declared.model_fields.get(field_name, original)
            if field_name in keep:
                fields[field_name] = (info.annotation, info)
                continue
            description = f"{info.description} {absent}" if info.description else absent
            optional = _UNION[info.annotation, MISSING]
            fields[field_name] = (
                optional,
                Field(
                    default=MISSING,
                    description=description,
                    examples=info.examples,
                    json_schema_extra=info.json_schema_extra,
                ),
            )
        built = create_model(
            declared.__name__, __base__=OutModel, __doc__=declared.__doc__, __module__=declared.__module__, **fields
        )
        return cast(type[M], built)

    return build


def answers(model: Any, status: int = 200, description: str | None = None) -> dict[int, OpenAPIResponse]:
    """`responses=` for a route decorator: `model` documents the JSON body of the `status` answer."""
    return {
        status: {
            "description": description or HTTPStatus(status).phrase,
            "content": {"application/json": {"model": model}},
        }
    }


def no_content(description: str = "No Content") -> dict[int, OpenAPIResponse]:
    """`responses=` for a route that answers 204 with an empty body."""
    return {204: {"description": description}}


def refused(description: str, status: int = 403) -> dict[int, OpenAPIResponse]:
    """`responses=` for a route that answers every caller with an error (the body is the error envelope)."""
    envelope: OpenAPIResponseContentSchema = {"schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}
    return {status: {"description": description, "content": {"application/json": envelope}}}
