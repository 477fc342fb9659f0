"""Every user-facing string ships with its Simplified Chinese translation."""

import re
from pathlib import Path

from babel.messages.pofile import read_po

CATALOGUE = Path(__file__).resolve().parent.parent / "locale/zh_Hans/LC_MESSAGES/django.po"
PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[sd]")


def messages():
    with CATALOGUE.open("rb") as po:
        return [m for m in read_po(po, locale="zh_Hans") if m.id]


def test_every_message_is_translated_and_none_is_fuzzy():
    untranslated = [m.id for m in messages() if m.fuzzy or not all(_strings(m))]
    assert untranslated == []


def test_translations_keep_the_placeholders():
    for message in messages():
        wanted = sorted(PLACEHOLDER.findall(_ids(message)[0]))
        for string in _strings(message):
            assert sorted(PLACEHOLDER.findall(string)) == wanted, message.id


def _ids(message):
    return message.id if isinstance(message.id, tuple) else (message.id,)


def _strings(message):
    return message.string if isinstance(message.string, tuple) else (message.string,)


def test_no_string_is_missing_from_the_catalogue(tmp_path):
    """Extract the strings afresh (as `make makemessages` does) and compare with the catalogue."""
    import shutil
    import subprocess
    import sys

    import pytest

    if not shutil.which("xgettext"):
        pytest.skip("xgettext (Debian's gettext) is not installed; .ci/run installs it")
    root = CATALOGUE.parents[3]
    ignore = shutil.ignore_patterns(".venv", "var", ".git", "__pycache__", "*.mo", "node_modules")
    shutil.copytree(root, tmp_path / "copy", ignore=ignore)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--ignore=tests", "--no-obsolete"],
        cwd=tmp_path / "copy",
        env={"PATH": "/usr/bin:/bin", "DEBUG": "true", "DJANGO_SETTINGS_MODULE": "publicity.settings"},
        check=True,
        capture_output=True,
    )
    with (tmp_path / "copy" / CATALOGUE.relative_to(root)).open("rb") as po:
        fresh = {(m.context, _ids(m)[0]) for m in read_po(po) if m.id}
    committed = {(m.context, _ids(m)[0]) for m in messages()}
    assert fresh - committed == set(), "run `make makemessages` and translate the new strings"
