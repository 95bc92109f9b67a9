"""FACADE_PUBLIC_URL: the only source of absolute URLs, checked like every other variable."""

import pytest

from facade.errors import ConfigError
from facade.settings import Settings


def test_no_public_url_means_relative_links() -> None:
    assert Settings.from_env({}).public_url is None
    assert Settings.from_env({"FACADE_PUBLIC_URL": "  "}).public_url is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("https://sms.example.com", "https://sms.example.com", id="bare"),
        pytest.param("https://sms.example.com/", "https://sms.example.com", id="trailing-slash"),
        pytest.param(" http://10.0.0.5:8000/ ", "http://10.0.0.5:8000", id="port-spaces"),
        pytest.param("https://example.com/sms/api//", "https://example.com/sms/api", id="prefix"),
        pytest.param("HTTPS://[::1]:8443/x", "https://[::1]:8443/x", id="ipv6-upper-scheme"),
    ],
)
def test_a_public_url_is_normalized(value: str, expected: str) -> None:
    assert Settings.from_env({"FACADE_PUBLIC_URL": value}).public_url == expected


# A value no problem may quote.
MARKER = "marker-value-q7"


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        pytest.param(f"sms.example.com/{MARKER}", "an absolute http(s) URL", id="no-scheme"),
        pytest.param(f"/{MARKER}", "an absolute http(s) URL", id="path-only"),
        pytest.param(f"ftp://{MARKER}.example", "an absolute http(s) URL", id="ftp"),
        pytest.param("https://", "an absolute http(s) URL", id="no-host"),
        pytest.param(f"https://h:{MARKER}@x.example", "credentials", id="credentials"),
        pytest.param(f"https://{MARKER}@x.example", "credentials", id="user"),
        pytest.param(f"https://x.example/?k={MARKER}", "query string or a fragment", id="query"),
        pytest.param(f"https://x.example/#{MARKER}", "query string or a fragment", id="fragment"),
        pytest.param("https://x.example/?", "query string or a fragment", id="empty-query"),
        pytest.param(f"https://x.example/{MARKER}>", "visible ASCII", id="angle-bracket"),
        pytest.param(f"https://x.example/a b{MARKER}", "visible ASCII", id="space"),
        pytest.param(f"https://x.example/\r\n{MARKER}", "visible ASCII", id="crlf"),
        pytest.param(f"https://{MARKER}.пример", "visible ASCII", id="non-ascii"),
        pytest.param(f"https://x.example:99999/{MARKER}", "an absolute http(s) URL", id="port"),
        pytest.param(f"https://[{MARKER}/", "an absolute http(s) URL", id="bad-ipv6"),
    ],
)
def test_a_bad_public_url_is_reported_by_name_never_by_value(value: str, problem: str) -> None:
    environ = {"FACADE_PUBLIC_URL": value, "FACADE_UPSTREAM_FMT": "9"}
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(environ)
    problems = caught.value.problems
    assert len(problems) == 2, "reported with the other bad values"
    assert any(p.startswith("FACADE_PUBLIC_URL: ") and problem in p for p in problems), problems
    assert MARKER not in str(caught.value)
