"""The hand-written base of every generated model, and the marker for "argument not given"."""

from __future__ import annotations

from typing import Any, Final

from pydantic import BaseModel, ConfigDict, PrivateAttr


class NotGiven:
    """The default of optional body arguments: leaving one out omits the field, while ``None`` sends ``null``."""

    _instance: NotGiven | None = None

    def __new__(cls) -> NotGiven:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = NotGiven()


class ApiModel(BaseModel):
    """An API object with attribute access (``ws.id``) and item access (``ws["id"]``).

    Fields the document does not (yet) name are kept too (``extra="allow"``), and the JSON object exactly as
    the API returned it stays reachable as :meth:`to_dict`.
    """

    model_config = ConfigDict(extra="allow", populate_by_name=True, protected_namespaces=())
    _raw: dict[str, Any] | None = PrivateAttr(default=None)

    @classmethod
    def from_api(cls, data: Any) -> Any:
        """Validate an API object; one that does not match the model (a newer server) is kept unvalidated."""
        if not isinstance(data, dict):
            return data
        try:
            model = cls.model_validate(data)
        except ValueError:
            model = cls.model_construct(**data)
        model._raw = data
        return model

    def to_dict(self) -> dict[str, Any]:
        """The object as the API sent it (or, for a model built by hand, its JSON form)."""
        if self._raw is not None:
            return self._raw
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)

    def __getitem__(self, key: str) -> Any:
        return self.to_dict()[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.to_dict().get(key, default)
