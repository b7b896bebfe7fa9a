"""Title, author, publication date, site name and URL of a page: trafilatura's metadata, minus
the fields werger never stores.

``trafilatura.metadata.extract_metadata`` also finds categories, tags and a licence (about 3 ms
of CPU per real news page, 4% of a page's analysis, ``bench/crawl.py``), and its author search
copies the whole tree to prune it (1.6 ms). :func:`page_metadata` runs the same steps with the
same trafilatura and htmldate functions, in the same order for every field it returns, and gives
the same values (``tests/test_extract.py`` compares the two on real-shaped pages); the author is
looked for last, on the caller's tree pruned in place, once nothing else reads the tree.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

AUTHOR_CHARS = 120  # trafilatura's limit for an author line (``extract_author``)


def page_metadata(
    tree: Any,
    url: str,
    date_params: dict[str, Any],
    date_check: Callable[[str | None, Any], str | None] | None = None,
) -> Any:
    """``extract_metadata(tree, url, date_params)``'s title, author, date, sitename, url and
    hostname (a ``trafilatura.settings.Document``; its other fields stay empty).

    ``tree`` is a throwaway copy of the page (``ingest.extract.without_body_urls``): it is
    pruned in place by the author search. ``date_params`` is ``set_date_params(...)``.
    ``date_check(date, tree)`` (``ingest.dates.confirmed``) may reject the date htmldate found; it
    reads the tree before the author search prunes it.
    """
    from courlan import extract_domain
    from htmldate import find_date
    from trafilatura.htmlprocessing import prune_unwanted_nodes
    from trafilatura.metadata import (
        META_URL,
        examine_meta,
        extract_meta_json,
        extract_metainfo,
        extract_sitename,
        extract_title,
        extract_url,
        normalize_authors,
    )
    from trafilatura.xpaths import AUTHOR_DISCARD_XPATHS, AUTHOR_XPATHS

    metadata = examine_meta(tree)
    if metadata.author and " " not in metadata.author:
        metadata.author = None
    try:
        metadata = extract_meta_json(tree, metadata)
    except Exception as exc:  # as trafilatura: "bugs in json_metadata.py", and it goes on too
        logging.getLogger("werger.extract").debug("JSON-LD metadata not read: %s", exc)
    if not metadata.title:
        metadata.title = extract_title(tree)
    search_author = not metadata.author
    if not metadata.url:
        metadata.url = extract_url(tree, url)
    if metadata.url:
        metadata.hostname = extract_domain(metadata.url, fast=True)
    metadata.date = find_date(tree, **{**date_params, "url": metadata.url})
    if date_check is not None:
        metadata.date = date_check(metadata.date, tree)
    if not metadata.sitename:
        metadata.sitename = extract_sitename(tree)
    if metadata.sitename:
        metadata.sitename = metadata.sitename.lstrip("@")
        if metadata.sitename and "." not in metadata.sitename and not metadata.sitename[0].isupper():
            metadata.sitename = metadata.sitename.title()
    elif metadata.url:
        match = META_URL.match(metadata.url)
        if match:
            metadata.sitename = match[1]
    if search_author:  # ``extract_author`` without its copy: nothing reads the tree after this
        pruned = prune_unwanted_nodes(tree, AUTHOR_DISCARD_XPATHS)
        author = extract_metainfo(pruned, AUTHOR_XPATHS, AUTHOR_CHARS)
        metadata.author = normalize_authors(None, author) if author else author
    metadata.filedate = date_params.get("max_date")
    metadata.clean_and_trim()
    return metadata
