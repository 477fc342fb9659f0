"""`wordpress_peer` and `wordpress`: the real WordPress that tests/peers/wordpress/setup.sh runs on
http://127.0.0.1:8080 (CI runs the script before the tests; without it these fixtures skip the test).

The script writes the connection facts to $WORDPRESS_PEER_FILE (default var/peers/wordpress.json; a
relative path is taken from the repo root). Two accounts, each with an Application Password:

- `author` (user `publicity`, role author): the account Publicity Desk posts as;
- `editor` (user `editor`, role editor): the outlet's staff, who publish our pending posts (adopt them)
  or trash them (decline). The helpers act as the editor, who sees everyone's posts in every status.

Things to know about WordPress 6.1 here: a pending post has an empty slug unless the client sends one;
dates are in the site's timezone (Asia/Shanghai), so compare `date_gmt`/`modified_gmt`.
"""

import itertools
import json
import os
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SETUP = "tests/peers/wordpress/setup.sh"
# Every status a post can have; the REST API's status=any leaves out trash.
ALL_POST_STATUSES = "publish,future,draft,pending,private,trash"


def peer_file():
    path = Path(os.environ.get("WORDPRESS_PEER_FILE", "var/peers/wordpress.json"))
    return path if path.is_absolute() else REPO_ROOT / path


@dataclass(frozen=True)
class Account:
    username: str
    app_password: str


class WordPressPeer:
    """The WordPress site, with small REST helpers (httpx, Basic auth, `?rest_route=`).

    Helpers raise `httpx.HTTPStatusError` on an error status; use `request` to look at one.
    """

    def __init__(self, url, author, editor):
        self.url = url.rstrip("/")
        self.author = author
        self.editor = editor
        self._client = httpx.Client(timeout=30)

    def request(self, method, route, *, account="editor", params=None, **kwargs):
        """`method` on REST `route` (e.g. "/wp/v2/posts/12") as `account`: "editor" (the default),
        "author", any `Account`, or None for no credentials. Other keyword arguments (json, content,
        headers, ...) go to httpx. Returns the response, whatever its status.
        """
        if isinstance(account, str):
            account = {"author": self.author, "editor": self.editor}[account]
        auth = (account.username, account.app_password) if account else None
        return self._client.request(
            method, f"{self.url}/", params={"rest_route": route, **(params or {})}, auth=auth, **kwargs
        )

    def _json(self, method, route, **kwargs):
        response = self.request(method, route, **kwargs)
        response.raise_for_status()
        return response.json()

    def posts(self, **params):
        """Posts as the editor sees them (context=edit, status=any, 100 a page): `posts(slug="x")`."""
        return self._json(
            "GET", "/wp/v2/posts", params={"context": "edit", "status": "any", "per_page": 100, **params}
        )

    def post(self, post_id):
        """One post, in any status, with its raw fields (context=edit)."""
        return self._json("GET", f"/wp/v2/posts/{post_id}", params={"context": "edit"})

    def publish(self, post_id):
        """The outlet adopts the post: the editor publishes it. Returns the post."""
        return self._json("POST", f"/wp/v2/posts/{post_id}", json={"status": "publish"})

    def trash(self, post_id):
        """The outlet declines the post: the editor moves it to the trash. Returns the post."""
        return self._json("DELETE", f"/wp/v2/posts/{post_id}")

    def media(self, **params):
        """Media items (context=edit, 100 a page): `media(parent=12)`, `media(search="photo")`."""
        return self._json("GET", "/wp/v2/media", params={"context": "edit", "per_page": 100, **params})

    def delete_posts_by_slug_prefix(self, prefix):
        """Deletes for good every post whose slug starts with `prefix` (trashed ones too); returns how many.

        Only finds posts that were given a slug: WordPress leaves a pending post's slug empty otherwise.
        """
        if not prefix:
            raise ValueError("an empty prefix would delete every post")
        doomed = [
            p["id"]
            for p in self._each("/wp/v2/posts", {"status": ALL_POST_STATUSES})
            if p["slug"].startswith(prefix)
        ]
        for post_id in doomed:
            self._json("DELETE", f"/wp/v2/posts/{post_id}", params={"force": "true"})
        return len(doomed)

    # Clean-up for the `wordpress` fixture. Posts and media share one id sequence (wp_posts).

    _CONTENT = (("/wp/v2/posts", {"status": ALL_POST_STATUSES}), ("/wp/v2/media", {}))

    def _each(self, route, params, order="asc"):
        """Every item of a collection, 100 at a time, in id order."""
        params = {"context": "edit", "per_page": 100, "orderby": "id", "order": order, **params}
        for page in itertools.count(1):
            response = self.request("GET", route, params={**params, "page": page})
            past_the_end = response.status_code == 400 and "invalid_page_number" in response.text
            if past_the_end:  # the last page was exactly full (or items went away meanwhile)
                return
            response.raise_for_status()
            batch = response.json()
            yield from batch
            if len(batch) < 100:
                return

    def _newest_id(self):
        return max(
            next(self._each(route, params, order="desc"), {"id": 0})["id"] for route, params in self._CONTENT
        )

    def _delete_newer_than(self, mark):
        for route, params in self._CONTENT:
            newer = list(
                itertools.takewhile(lambda item: item["id"] > mark, self._each(route, params, order="desc"))
            )
            for item in newer:
                self._json("DELETE", f"{route}/{item['id']}", params={"force": "true"})

    def close(self):
        self._client.close()


@pytest.fixture(scope="session")
def wordpress_peer():
    """The WordPress site (session-wide); skips the test when setup.sh has not run here."""
    path = peer_file()
    if not path.exists():
        pytest.skip(f"No WordPress at {path}: run {SETUP} (CI does)")
    facts = json.loads(path.read_text())
    try:
        reachable = httpx.get(f"{facts['url']}/", params={"rest_route": "/"}, timeout=3).status_code == 200
    except httpx.HTTPError:
        reachable = False
    if not reachable:
        pytest.skip(f"No WordPress at {facts['url']}: run {SETUP} (CI does)")
    peer = WordPressPeer(facts["url"], Account(**facts["author"]), Account(**facts["editor"]))
    yield peer
    peer.close()


@pytest.fixture
def wordpress(wordpress_peer):
    """The same WordPress site, and after the test every post and media item created during it is
    deleted for good (all with ids above the newest one at the start, whoever made them).

    So tests that use it must not run at the same time as each other (e.g. under pytest-xdist without
    `--dist loadgroup` and a shared `@pytest.mark.xdist_group`).
    """
    mark = wordpress_peer._newest_id()
    yield wordpress_peer
    wordpress_peer._delete_newer_than(mark)
