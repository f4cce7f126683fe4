"""Sensors Data (神策) helpers that need no client: :mod:`audkit.sensors.rules` builds and
checks the user-tag rule DSL (``rule_content_list``) for ``SensorsData.user_tags.create`` and
``update``.

    from audkit.sensors import rules as r
    content = r.custom_value("分层1", r.and_(r.profile_rule("user.$update_time", "equal", ["10"])))

This package is pure Python (it imports without the extension).
"""

from __future__ import annotations

from . import rules

__all__ = ["rules"]
