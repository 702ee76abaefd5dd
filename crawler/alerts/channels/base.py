"""What a notification channel is: something that delivers a batch of alerts, or says why not.

Channels are registered by type name (``email``, ``webhook``, ``apprise``) and chosen by the
``type`` key of a ``[[channels]]`` table in the config, never by ``if`` chains.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel

from crawler.alerts.channels.templates import default_templates
from crawler.alerts.payload import AlertPayload

CHANNEL_TYPES: dict[str, type[Channel]] = {}
C = TypeVar("C", bound="type[Channel]")
M = TypeVar("M", bound=BaseModel)


def channel_type(name: str) -> Callable[[C], C]:
    """Class decorator: make a channel available to configs as ``type = "<name>"``."""

    def decorate(cls: C) -> C:
        cls.type_name = name
        CHANNEL_TYPES[name] = cls
        return cls

    return decorate


class DeliveryError(Exception):
    """A batch could not be delivered. ``retryable`` False means retrying cannot help
    (bad credentials, a 4xx other than 408/429, a malformed address)."""

    def __init__(self, message: str, *, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable


class Channel(ABC):
    """Delivers alerts. ``alerts`` are payload dicts (see crawler/alerts/payload.py), each with
    its own ``idempotency_key``; ``delivery_id`` identifies this one attempt to send them."""

    type_name: ClassVar[str]
    Settings: ClassVar[type[BaseModel]]  # the pydantic model of this type's config keys

    def __init__(
        self, name: str, settings: BaseModel | Mapping[str, Any], templates: Any = None
    ) -> None:
        self.name = name
        self.settings = coerce_settings(self.Settings, settings)
        self.templates = templates if templates is not None else default_templates()

    @property
    def label(self) -> str:
        """How errors and logs name this channel: ``email channel 'analysts'``."""
        return f"{self.type_name} channel {self.name!r}"

    @abstractmethod
    def send(self, alerts: list[AlertPayload], delivery_id: str) -> None:
        """Deliver all ``alerts`` as one message (one alert for instant channels, several for a
        digest), or raise :class:`DeliveryError`. Must not take longer than its timeout."""


def coerce_settings(model: type[M], settings: BaseModel | Mapping[str, Any]) -> M:
    """``settings`` as an instance of ``model``: as given, or validated from a plain mapping."""
    if isinstance(settings, model):
        return settings
    if isinstance(settings, Mapping):
        return model.model_validate(dict(settings))
    raise TypeError(f"expected {model.__name__} settings, got {type(settings).__name__}")
