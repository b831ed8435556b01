"""Fill the model cache for some catalogs, once, before several processes would each train the same models.

    python -m bot.understanding.warm CATALOG_DIR...

`tasks.py test` and `quick` run it before starting the test workers: on a machine with a cold cache (a fresh
CI machine) each worker would otherwise prepare and train the same models at once, about 10 s of CPU each,
instead of reading them back in a fraction of a second. A warm cache makes this a quick no-op.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bot.catalog.loader import load_catalog
from bot.understanding.data import load_language_data
from bot.understanding.understand import Understander

INTENTS = Path(__file__).resolve().parent.parent.parent / "intents"


def main(argv: list[str]) -> int:
    for folder in argv:
        catalog = load_catalog(Path(folder))
        data, _problems = load_language_data(INTENTS, catalog)
        # prepares and trains what the cache lacks, and stores it, for the languages a network reads on first
        # use too (Arabic in Québec)
        understander = Understander(data, catalog)
        for lang in understander.readable:
            understander.build(lang)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
