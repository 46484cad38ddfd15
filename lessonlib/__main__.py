"""Command line: ``python -m lessonlib write-data [folder]`` rewrites the CSV copies in data/."""
import sys

from .data import _main


def main(argv):
    if not argv or argv[0] != "write-data":
        sys.exit("usage: python -m lessonlib write-data [folder]   (default folder: data)")
    _main(argv[1:])


if __name__ == "__main__":
    main(sys.argv[1:])
