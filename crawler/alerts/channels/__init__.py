"""Notification channels. Importing this package registers every channel type in
:data:`~crawler.alerts.channels.base.CHANNEL_TYPES` (``email``, ``webhook``, ``apprise``)."""

from crawler.alerts.channels import apprise_channel, email, webhook
from crawler.alerts.channels.base import CHANNEL_TYPES, Channel, DeliveryError, channel_type
from crawler.alerts.channels.templates import TemplateRenderError, Templates

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
