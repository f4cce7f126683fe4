"""audkit: audience, tag and keyword APIs of Tencent Ads, Sensors Data, ThinkingData,
Baidu search ads and Volcengine live, over one C core.

    import audkit
    with audkit.TencentAds(access_token="...") as tx:
        for aud in tx.custom_audiences.list(account_id=1):
            print(aud.audience_id, aud.name)

The client classes (``TencentAds``, ``SensorsData``, ``ThinkingData``, ``BaiduSearch``,
``VolcengineLive``) are generated from the native core's descriptors on first access, so
importing ``audkit`` (and ``audkit.sandbox``, the stdlib-only emulator) works without the
extension being built; only touching a client class needs it. The exception classes in
``audkit.errors`` are pure Python and always importable.
"""

from __future__ import annotations

from typing import Any, List, Optional

from .errors import (
    ApiError,
    AuthError,
    DecodeError,
    Error,
    HttpError,
    NotFoundError,
    RateLimitError,
    TimeoutError,
    TransportError,
    ValidationError,
)

__version__ = "0.1.0"

_ERRORS = [
    "Error",
    "ValidationError",
    "TransportError",
    "TimeoutError",
    "HttpError",
    "DecodeError",
    "ApiError",
    "AuthError",
    "RateLimitError",
    "NotFoundError",
]
_LAZY_MODELS = ("Model", "Page")
_LAZY_CLIENT = ("Client", "Resource", "Pager", "describe", "client_class", "client_classes")
_CLIENT_NAMES = ("TencentAds", "SensorsData", "ThinkingData", "BaiduSearch", "VolcengineLive")

from .progress import Progress  # noqa: E402  - pure Python: the progress= events

__all__ = _ERRORS + list(_LAZY_MODELS) + list(_LAZY_CLIENT) + list(_CLIENT_NAMES) + ["core_version", "Progress", "to_frame"]


def core_version() -> str:
    """The native core's version string (needs the extension)."""
    from . import _core

    return str(_core.version())


def to_frame(items: Any, max_items: Optional[int] = None, flatten: bool = True, tz: Optional[str] = None) -> Any:
    """A pandas DataFrame of models (a pager, a page, any iterable of models): one column per
    field, snake_case names, dtypes from the schema (``audkit.frames`` says how). Needs pandas:
    ``pip install audkit[pandas]``."""
    from . import frames

    return frames.to_frame(items, max_items=max_items, flatten=flatten, tz=tz)


def __getattr__(name: str) -> Any:
    if name in _LAZY_MODELS:
        from . import _models

        return getattr(_models, name)
    if name in _LAZY_CLIENT:
        from . import _client

        return getattr(_client, name)
    if name[:1].isupper():
        try:
            from . import _client
        except ImportError as e:  # the extension is not built
            if name in _CLIENT_NAMES:
                raise ImportError(
                    f"audkit.{name} needs the native extension audkit._core, which failed to import "
                    f"({e}); build it with `pip install -e .` or `python setup.py build_ext --inplace`"
                ) from e
            raise AttributeError(f"module 'audkit' has no attribute {name!r}") from None
        for cls in _client.client_classes().values():
            if cls.__name__ == name:
                globals()[name] = cls
                return cls
    raise AttributeError(f"module 'audkit' has no attribute {name!r}")


def __dir__() -> List[str]:
    names = set(globals()) | set(__all__)
    try:
        from . import _client

        names.update(cls.__name__ for cls in _client.client_classes().values())
    except ImportError:
        pass
    return sorted(names)
