"""Print pip requirements that pin every runtime dependency of pyproject.toml to its lowest allowed
release series ("numpy>=2.0" -> "numpy==2.0.*"), for CI's lower-bounds run. Stdlib only."""

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def lower_bounds(deps: list[str]) -> list[str]:
    out = []
    for dep in deps:
        m = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(?:\[[^\]]*\])?\s*(.*)$", dep)
        name, spec = m.group(1), m.group(2)
        low = re.search(r">=\s*([0-9][0-9.]*)", spec)
        if low is None:
            sys.exit(f"{dep!r} has no lower bound (>=): every runtime dependency needs one")
        out.append(f"{name}=={low.group(1)}.*")
    return out


if __name__ == "__main__":
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    print("\n".join(lower_bounds(project["dependencies"])))
