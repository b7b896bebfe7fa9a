"""``werger check``: validate a sites file and show what each site resolves to, without crawling."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ingest.commands.common import USER_ERRORS, fail, out


def register(app: typer.Typer) -> None:
    app.command("check")(check)


def check(
    sites_file: Annotated[Path, typer.Argument(help="Sites file (TOML) to check.")],
    offline: Annotated[
        bool, typer.Option("--offline", help="Only check the file; do not read any robots.txt.")
    ] = False,
) -> None:
    """Validate SITES_FILE and print each site's hosts, scope and limits, and its robots.txt.

    Reads one robots.txt per host (with the crawl's User-Agent and address guard) and nothing
    else; writes nothing. Exits 1 when the file is invalid or a robots.txt cannot be read (a crawl
    would leave that host alone), 0 otherwise.

    Example: werger check sites.toml
    """
    from ingest.config import load_config
    from ingest.fetch import user_agent
    from ingest.preflight import check_sites, origins

    try:
        config = load_config(sites_file)
    except USER_ERRORS as exc:
        raise fail(exc) from None
    crawler = config.crawler
    out.print(f"{sites_file}: valid, {len(config.sites)} site(s)")
    out.print(f"User-Agent: {user_agent(crawler.contact)}")
    if crawler.contact is None:
        out.print("warning: no [crawler] contact; site owners cannot reach you")
    limit = f"{crawler.max_run_time:g} s" if crawler.max_run_time else "none"
    out.print(
        f"run: timeout {crawler.timeout:g} s per request, {crawler.retries} retries, "
        f"max_bytes {crawler.max_bytes}, max_run_time {limit}"
    )
    out.print(f"extraction: {_extraction(crawler.extract_processes, len(config.sites))}")
    hosts = {} if offline else check_sites(config.sites, crawler)
    unreadable = 0
    for site in config.sites:
        out.print(f"\n[sites.{site.name}]")
        out.print(f"  hosts: {', '.join(sorted(site.hosts))}")
        for kind in ("start_urls", "sitemaps", "feeds"):
            for url in getattr(site, kind):
                note = ""
                if kind == "start_urls" and not site.in_scope(url):
                    note = " (outside allow: read for its links, not stored)"
                out.print(f"  {kind[:-1] if kind != 'sitemaps' else 'sitemap'}: {url}{note}")
        scope = "every page on these hosts"
        if site.allow:
            scope = "pages matching " + " or ".join(site.allow)
        if site.deny:
            scope += ", except " + " or ".join(site.deny)
        out.print(f"  scope: {scope}")
        out.print(f"  languages: {', '.join(site.languages) if site.languages else 'any'}")
        private = ", private addresses allowed" if site.allow_private else ""
        out.print(
            f"  limits: max_pages {site.max_pages}, max_depth {site.max_depth}, "
            f"concurrency {site.concurrency}, delay {site.delay:g} s{private}"
        )
        if offline:
            out.print(f"  robots.txt: not read (--offline) for {', '.join(origins(site))}")
        for host in hosts.get(site.name, []):
            unreadable += host.state == "unreadable"
            line = f"  robots.txt {host.origin}: {host.detail}"
            if host.crawl_delay:
                in_force = max(host.crawl_delay, site.delay)
                line += f", Crawl-delay {host.crawl_delay:g} s (delay in force {in_force:g} s)"
            if host.sitemaps:
                line += f", announces {len(host.sitemaps)} sitemap(s)"
            out.print(line)
            for url in host.seeds_disallowed:
                out.print(f"  warning: robots.txt disallows the seed {url}")
    if unreadable:
        raise fail(f"{unreadable} host(s) with an unreadable robots.txt; a crawl would skip them")


def _extraction(setting: int | str, sites: int) -> str:
    """How a crawl of this file extracts pages (``[crawler] extract_processes``), in words."""
    from ingest.pipeline import extract_process_count, usable_cores

    processes = extract_process_count(setting, sites)
    if processes and setting != "auto" and processes < int(setting):
        return f"{processes} worker processes (extract_processes = {setting}, capped at the cores)"
    if processes:
        return f"{processes} worker processes"
    if setting != "auto":
        return "in threads (extract_processes = 0)"
    if sites < 2:
        return "in threads (one site)"
    return "in threads (one core)" if usable_cores() < 2 else "in threads"
