"""Keep Presidio's tldextract dependency offline.

Presidio's email recognizer validates domains with `tldextract`, whose default extractor
downloads the public suffix list from GitHub at first use. Keepgate never touches the
network for that: the default extractor is pointed at no URLs, so it falls back to the
snapshot bundled with the package, and it is loaded at start-up (not on the first answer).
"""

from __future__ import annotations

import os


def use_bundled_suffix_list() -> None:
    """Make `tldextract.extract` read only the bundled public suffix list, then load it."""
    os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
    import tldextract.tldextract as tld  # imported late: the env var must be set first

    extractor = tld.TLD_EXTRACTOR
    if extractor.suffix_list_urls:  # tldextract was imported before the env var was set
        extractor.suffix_list_urls = ()
    extractor.fallback_to_snapshot = True
    extractor.extract_str("example.com")  # loads the list now, not on the first answer
