#!/usr/bin/env python3
"""Minifies a stylesheet in place for the build: comments out, runs of white space to one space,
none around braces and semicolons. Conservative on purpose (no renaming, no merging, nothing
around ':' or ',' where selectors need the space); every page and poster loads style.css, and this
saves about a fifth of its gzip. Usage: scripts/minify-css.py dist/style.css"""
import re
import sys

path = sys.argv[1]
css = open(path, encoding="utf-8").read()
css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
css = re.sub(r"\s+", " ", css)
css = re.sub(r"\s*([{};])\s*", r"\1", css)
open(path, "w", encoding="utf-8").write(css.strip() + "\n")
