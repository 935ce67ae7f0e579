"""Render a run folder's ``report.html`` to PNG with headless Chromium, to see it as a person does.

Usage::

    python scripts/render_report.py outputs/double11-2026/report.html [out.png] [--width 1400] [--height 6000]

Needs Debian's ``chromium`` package (``apt-get install chromium``). Chinese text uses the Noto
Sans CJK SC font the project installs (from ``mplfonts``) through a private fontconfig file, so
no system CJK font is needed. Chromium runs with no network: the page must need none.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from scheduler.report.fonts import cjk_font_path

FONTS_CONF = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <dir>{font_dir}</dir>
  <cachedir>{cache}</cachedir>
</fontconfig>
"""
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--hide-scrollbars",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def render(html: Path, png: Path, width: int, height: int) -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        sys.exit("chromium not found: apt-get install chromium")
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ)
        font = cjk_font_path()
        if font is not None:
            conf = Path(tmp) / "fonts.conf"
            conf.write_text(FONTS_CONF.format(font_dir=font.parent, cache=Path(tmp) / "cache"), encoding="utf-8")
            env["FONTCONFIG_FILE"] = str(conf)
        cmd = [browser, *FLAGS, f"--user-data-dir={tmp}/profile", f"--window-size={width},{height}",
               f"--screenshot={png.resolve()}", html.resolve().as_uri()]
        subprocess.run(cmd, env=env, check=True, capture_output=True, timeout=120)
    print(f"wrote {png}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html", type=Path)
    parser.add_argument("png", type=Path, nargs="?")
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=6000)
    args = parser.parse_args()
    render(args.html, args.png or args.html.with_suffix(".png"), args.width, args.height)


if __name__ == "__main__":
    main()
