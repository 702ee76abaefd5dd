"""Notification channels. Importing this package registers every channel type in
:data:`~crawler.channels.base.CHANNEL_TYPES` (``email``, ``webhook``, ``apprise``)."""

from crawler.channels import apprise_channel, email, webhook
from crawler.channels.base import CHANNEL_TYPES, Channel, DeliveryError, channel_type
from crawler.channels.templates import TemplateRenderError, Templates

__all__ = [
    "CHANNEL_TYPES",
    "Channel",
    "DeliveryError",
    "TemplateRenderError",
    "Templates",
    "apprise_channel",
    "channel_type",
    "email",
    "webhook",
]
