#!/usr/bin/python3
"""Fails when docs/cli.md misses a command or option that robustctl's --help lists.

Usage: check_cli_docs.py ROBUSTCTL DOCS_CLI_MD

Walks `robustctl --help`, `robustctl AREA --help`, `robustctl AREA VERB --help` and
deeper (`robustctl bench mqtt conn --help`), reading CLI11's "Subcommands:" and
"Options:" sections, and checks that docs/cli.md names every command as
`robustctl AREA VERB ...` and mentions every long option.
"""

import re
import subprocess
import sys


def help_text(binary, words):
    r = subprocess.run([binary, *words, "--help"], capture_output=True, text=True, timeout=30)
    if r.returncode != 0:
        sys.exit(f"`robustctl {' '.join(words)} --help` exited with {r.returncode}: {r.stderr}")
    return r.stdout


def section(text, title):
    """Lines of one CLI11 help section ("Options:" / "Subcommands:")."""
    out, inside = [], False
    for line in text.splitlines():
        if line.strip() == title:
            inside = True
            continue
        if inside:
            if line and not line.startswith(" "):
                break
            out.append(line)
    return out


def subcommands(text):
    return [m.group(1) for line in section(text, "Subcommands:")
            if (m := re.match(r"^  (\S+)", line))]


def long_options(text):
    opts = set()
    for line in section(text, "Options:"):
        m = re.match(r"^  (\S+)", line)
        if m:
            opts.update(re.findall(r"--[a-z][a-z0-9-]*", m.group(1)))
    return opts


def main():
    binary, docs_path = sys.argv[1], sys.argv[2]
    docs = open(docs_path, encoding="utf-8").read()
    missing = []

    def check(words, text):
        name = "robustctl " + " ".join(words)
        if name not in docs:
            missing.append(f"command `{name}`")
        for opt in sorted(long_options(text) - {"--help"}):
            if opt not in docs:
                missing.append(f"option {opt} of `{name}`")

    top = help_text(binary, [])
    for opt in sorted(long_options(top) - {"--help"}):
        if opt not in docs:
            missing.append(f"global option {opt}")
    areas = subcommands(top)
    if len(areas) < 10:
        sys.exit(f"robustctl --help lists only {areas}: help format changed?")
    commands = 0

    def walk(words):
        """Checks a command without subcommands; recurses into the others
        (bench mqtt conn: three levels)."""
        nonlocal commands
        text = help_text(binary, words)
        subs = subcommands(text)
        if not subs:
            check(words, text)
            commands += 1
        for sub in subs:
            walk([*words, sub])

    for area in areas:
        walk([area])
    if missing:
        print(f"{docs_path} does not document:", file=sys.stderr)
        for m in missing:
            print("  " + m, file=sys.stderr)
        sys.exit(1)
    print(f"docs cover all {commands} commands of robustctl")


if __name__ == "__main__":
    main()
