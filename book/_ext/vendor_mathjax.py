"""Copy the parts of MathJax 3 the course site needs from node_modules into book/_vendor/mathjax.

    npm ci && npm run vendor-mathjax      # or: python book/_ext/vendor_mathjax.py

The copy is committed, so building the site needs neither npm nor a CDN.  _config.yml serves it
through ``html_extra_path`` (as ``<site>/mathjax/``), never through a folder named ``_static``:
Jupyter Book 1 would inject every .js file under ``_static`` into every page.

Kept: the ``tex-chtml`` combined component, the CHTML woff-v2 fonts, the TeX extensions that
``autoload`` fetches on demand (\\boldsymbol, \\cancel, ...), and the ``ui``/``a11y`` components the
right-click menu can load.  Left out: the speech-rule engine (``sre``, 4 MB).
"""
from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "node_modules" / "mathjax"
TARGET = ROOT / "book" / "_vendor" / "mathjax"
KEEP = ["tex-chtml.js", "output/chtml/fonts/woff-v2", "input/tex/extensions", "ui", "a11y"]


def main() -> int:
    if not (SOURCE / "es5" / "tex-chtml.js").is_file():
        print(f"{SOURCE} is missing: run `npm ci` first", file=sys.stderr)
        return 1
    version = json.loads((SOURCE / "package.json").read_text())["version"]
    if TARGET.exists():
        shutil.rmtree(TARGET)
    TARGET.mkdir(parents=True)
    for item in KEEP:
        src, dst = SOURCE / "es5" / item, TARGET / item
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst)
        else:
            shutil.copy2(src, dst)
    shutil.copy2(SOURCE / "LICENSE", TARGET / "LICENSE")
    (TARGET / "VERSION").write_text(f"mathjax {version} (npm), es5 build; copied by book/_ext/vendor_mathjax.py\n")
    size = sum(p.stat().st_size for p in TARGET.rglob("*") if p.is_file())
    print(f"vendored mathjax {version} into {TARGET.relative_to(ROOT)} ({size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
