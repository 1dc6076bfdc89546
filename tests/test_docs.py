"""Docs that cannot drift: every setting is documented in the README."""

from benelux_graph.settings import documented_settings


def test_every_setting_is_in_the_readme(settings):
    readme = (settings.root / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- settings:start -->")[1].split("<!-- settings:end -->")[0]
    for variable, help_text in documented_settings().items():
        assert f"| `{variable}` | {help_text} |" in block, f"{variable} is not documented in README.md"


def test_the_readme_opens_with_the_two_commands(settings):
    head = (settings.root / "README.md").read_text(encoding="utf-8").splitlines()[:5]
    assert any(line.startswith("make serve") for line in head)
    assert any(line.startswith("make test") for line in head)
