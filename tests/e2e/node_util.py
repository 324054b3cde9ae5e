"""The npm clients of the end-to-end tests (node/: package.json, package-lock.json).

node_binary() is what test_14_npm_client.py and test_25_kafkajs.py call first: it
skips the test without node/npm, and runs `npm ci` when node/node_modules lacks
any package that package.json depends on (so a tree installed before a package
was added is brought up to date from the lock file)."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

NODE_DIR = Path(__file__).parent / "node"


def _missing_packages():
    deps = json.loads((NODE_DIR / "package.json").read_text()).get("dependencies", {})
    return [name for name in deps
            if not (NODE_DIR / "node_modules" / name / "package.json").is_file()]


def node_binary():
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        pytest.skip("node/npm not installed")
    if _missing_packages():
        r = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=NODE_DIR,
                           capture_output=True, timeout=240)
        assert r.returncode == 0, "npm ci failed:\n" + r.stdout.decode() + r.stderr.decode()
        assert not _missing_packages(), f"npm ci left out {_missing_packages()}"
    return node
