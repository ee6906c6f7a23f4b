"""App tests: the streamlit/ modules on sys.path, AppTest factories and a download spy.

Plain-module tests (simulator, charts, queries' parameter building, ...) need no platform. AppTest and
browser tests run the real app on the shared 1,000-customer platform (fixture `platform`), marked
`integration` / `browser`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from c360.paths import STREAMLIT_DIR

if str(STREAMLIT_DIR) not in sys.path:
    sys.path.insert(0, str(STREAMLIT_DIR))

from navigation import OPEN_TAB_KEY  # a streamlit/ module (on sys.path above)

APP_FILE = STREAMLIT_DIR / "streamlit_app.py"


def tab_title(name: str) -> str:
    from tabs import title_of

    return title_of(name)


@pytest.fixture
def app_home(platform: object, platform_settings: object) -> Path:
    """The built 1,000-customer platform's home (gold, churn scores, observability)."""
    return platform_settings.home  # type: ignore[attr-defined]


@pytest.fixture
def make_app(app_home: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., object]:
    """AppTest factory on the shared platform; `role` sets the persona before the first run."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("C360_HOME", str(app_home))
    monkeypatch.setenv("C360_TARGET", "local")

    def make(role: str = "MARKETING_MANAGER", tab: str | None = "Segment Explorer") -> AppTest:
        at = AppTest.from_file(str(APP_FILE), default_timeout=120)
        at.session_state["app.role"] = role
        if tab:
            at.session_state[OPEN_TAB_KEY] = tab_title(tab)  # only the open tab runs
        return at

    return make


class Downloads:
    """What the app's download buttons would send: eager payloads by URL, deferred ones by their file id
    (produced by calling the app's callable, as Streamlit does when the button is clicked)."""

    def __init__(self) -> None:
        self.payloads: dict[str, tuple[bytes, str]] = {}
        self.deferred: dict[str, tuple[Callable[[], object], str]] = {}

    def __getitem__(self, url: str) -> tuple[bytes, str]:
        return self.payloads[url]

    def of(self, button: object) -> tuple[bytes, str]:
        """Bytes and file name behind an AppTest download button, deferred or not."""
        from streamlit.runtime.download_data_util import convert_data_to_bytes_and_infer_mime

        proto = button.proto  # type: ignore[attr-defined]
        if proto.deferred_file_id:
            make, name = self.deferred[proto.deferred_file_id]
            # what Streamlit does with the callable's result when the button is clicked
            data, _ = convert_data_to_bytes_and_infer_mime(
                make(), unsupported_error=TypeError("a download Streamlit cannot serve")
            )
            return data, name
        return self.payloads[proto.url]


@pytest.fixture
def downloads() -> Iterator[Downloads]:
    """Every st.download_button payload of the AppTest runs in this test."""
    from streamlit.runtime.media_file_manager import MediaFileManager
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    captured = Downloads()
    original = MemoryMediaFileStorage.load_and_get_id
    original_deferred = MediaFileManager.add_deferred

    def spy(self, path_or_data, mimetype, kind, filename=None):  # type: ignore[no-untyped-def]
        file_id = original(self, path_or_data, mimetype, kind, filename)
        url = self.get_url(file_id)
        data = path_or_data if isinstance(path_or_data, bytes) else Path(path_or_data).read_bytes()
        captured.payloads[url] = (data, filename or "")
        return file_id

    def spy_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):  # type: ignore[no-untyped-def]
        file_id = original_deferred(self, data_callable, mimetype, coordinates, file_name=file_name, **kwargs)
        captured.deferred[file_id] = (data_callable, file_name or "")
        return file_id

    MemoryMediaFileStorage.load_and_get_id = spy  # type: ignore[method-assign]
    MediaFileManager.add_deferred = spy_deferred  # type: ignore[method-assign]
    try:
        yield captured
    finally:
        MemoryMediaFileStorage.load_and_get_id = original  # type: ignore[method-assign]
        MediaFileManager.add_deferred = original_deferred  # type: ignore[method-assign]


@pytest.fixture
def reference(platform: object, platform_settings: object) -> Iterator[Callable[..., object]]:
    """Independent answers for assertions: plain SQL on the platform's reader (not the app's queries)."""
    from c360.engines.readers import open_reader

    session = open_reader(platform_settings)  # type: ignore[arg-type]
    try:
        yield lambda sql, params=(): session.query(sql, list(params))
    finally:
        session.close()


def tab_metrics(tab: object) -> dict[str, str]:
    """{label: value} of the metrics inside one tab (the first one wins on duplicate labels)."""
    out: dict[str, str] = {}
    for m in tab.metric:  # type: ignore[attr-defined]
        out.setdefault(m.label, m.value)
    return out


def texts(tab: object, kind: str) -> list[str]:
    return [str(e.value) for e in getattr(tab, kind)]
