"""The editors' web app: a review queue, side-by-side records, history, all behind a login."""

from store.review.app import create_app

__all__ = ["create_app"]
