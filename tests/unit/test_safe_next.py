import pytest

from compliance.security import safe_next


@pytest.mark.parametrize("target", [
    "//evil.example", "////evil.example", "/\\evil.example", "\\\\evil.example",
    "javascript:alert(1)", "https://evil.example/", "http:/evil.example", "evil.example",
    " //evil.example", "/\tevil", "", None,
])
def test_off_site_targets_are_refused(target):
    assert safe_next(target) is None


@pytest.mark.parametrize("target", ["/", "/users/", "/users/3?tab=access"])
def test_paths_on_this_site_are_kept(target):
    assert safe_next(target) == target
