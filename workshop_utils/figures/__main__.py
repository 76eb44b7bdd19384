"""Regenerate the course figures: python -m workshop_utils.figures [folder] [names…]."""

import sys

from . import generate_all, save_asset

if __name__ == "__main__":
    folder = sys.argv[1] if len(sys.argv) > 1 else "assets"
    names = sys.argv[2:]
    paths = [save_asset(n, folder) for n in names] if names else generate_all(folder)
    for p in paths:
        print("wrote", p)
