"""WordPress REST with Application Passwords: photos to /wp/v2/media, then the post.

The delivery's marker is the post's slug, and with the photo's hash the name of each upload, so a
delivery interrupted after WordPress created the post or a media item (a dead worker, a reply that
never came) is found again instead of posted twice. Every remote id is saved as soon as it comes back.
"""

import html
from urllib.parse import urlencode

import httpx
from django.utils.translation import gettext as _

from publicity.failpoints import failpoint

from .. import http
from .base import Adapter, DeliveryError, Sent, raise_for_status, transport_error


class WordPressAdapter(Adapter):
    can_find = True

    def _url(self, route, **params):
        query = urlencode({"rest_route": f"/wp/v2/{route}", **params})
        return f"{self.outlet.endpoint.rstrip('/')}/?{query}"

    def _call(self, recorder, method, route, params=None, **kwargs):
        recorder.before_request()
        try:
            response = http.request(
                recorder,
                method,
                self._url(route, **(params or {})),
                auth=(self.outlet.username, self.secret),
                **kwargs,
            )
        except httpx.HTTPError as exc:
            raise transport_error(exc, method) from None
        except http.DestinationRefused as exc:
            raise DeliveryError(str(exc), permanent=True) from None
        if response.status_code == 400 and "rest_upload_no_content_disposition" in response.text:
            # PHP dropped an upload over post_max_size: WordPress cannot say more.
            too_big = _("The photo is larger than the site accepts (post_max_size).")
            raise DeliveryError(too_big, permanent=True)
        raise_for_status(response)
        return response.json()

    def send(self, delivery, recorder):
        media = dict(delivery.remote_media)
        photos = _photos(delivery)
        for photo in photos:
            if photo.sha256 not in media:
                media[photo.sha256] = self._upload(recorder, delivery, photo)
                failpoint("wordpress.after_media_uploaded")
                recorder.save_remote(remote_media=media)
            if not media[photo.sha256].get("described"):
                self._describe(recorder, media[photo.sha256], photo)
                media[photo.sha256]["described"] = True
                recorder.save_remote(remote_media=media)
        post = self._call(recorder, "POST", "posts", json=self._post_fields(delivery, photos, media))
        failpoint("wordpress.after_post_created")
        recorder.save_remote(remote_id=str(post["id"]), remote_url=post.get("link", ""))
        return Sent(remote_id=str(post["id"]), remote_url=post.get("link", ""))

    def _upload(self, recorder, delivery, photo):
        with photo.display.open("rb") as file:
            content = file.read()
        # WordPress names the media item after the file (6.1 reads only an ASCII `filename=`): the
        # name carries the delivery's key and the photo's hash, so a lost upload can be found again.
        uploaded = self._call(
            recorder,
            "POST",
            "media",
            content=content,
            headers={
                "Content-Type": "image/jpeg",
                "Content-Disposition": f'attachment; filename="{media_marker(delivery, photo)}.jpg"',
            },
        )
        return {"id": uploaded["id"], "url": uploaded.get("source_url", "")}

    def _describe(self, recorder, uploaded, photo):
        self._call(
            recorder,
            "POST",
            f"media/{uploaded['id']}",
            json={"caption": html.escape(photo.caption, quote=False), "alt_text": html.escape(photo.caption)},
        )

    def _post_fields(self, delivery, photos, media):
        revision, article = delivery.revision, delivery.article
        figures = "".join(_figure(media[p.sha256]["url"], p.caption) for p in photos)
        cover = next((media[p.sha256]["id"] for p in photos if p.is_cover), None)
        category = self.outlet.category_map.get(str(article.category)) if article.category else None
        fields = {
            "title": html.escape(revision.title, quote=False),  # WordPress takes it as HTML; ours is text
            "content": revision.body + figures,
            "status": self.outlet.post_status,
            "slug": delivery.marker,
        }
        if cover:
            fields["featured_media"] = cover
        if category:
            fields["categories"] = [category]
        return fields

    def find(self, delivery, recorder):
        """The post, if a previous attempt made it; if not, the photos it uploaded are recorded so
        that the next send does not upload them again."""
        posts = self._call(
            recorder, "GET", "posts", params={"slug": delivery.marker, "status": "any", "context": "edit"}
        )
        if not posts:
            self._find_media(delivery, recorder)
            return None
        post = posts[0]
        recorder.save_remote(remote_id=str(post["id"]), remote_url=post.get("link", ""))
        return Sent(remote_id=str(post["id"]), remote_url=post.get("link", ""))

    def _find_media(self, delivery, recorder):
        media = dict(delivery.remote_media)
        for photo in _photos(delivery):
            if photo.sha256 in media:
                continue
            found = self._call(
                recorder, "GET", "media", params={"slug": media_marker(delivery, photo), "context": "edit"}
            )
            if found:
                media[photo.sha256] = {"id": found[0]["id"], "url": found[0].get("source_url", "")}
                recorder.save_remote(remote_media=media)

    def adoption(self, delivery, recorder):
        try:
            post = self._call(recorder, "GET", f"posts/{delivery.remote_id}", params={"context": "edit"})
        except DeliveryError as error:
            if "HTTP 404" in error.message or "HTTP 410" in error.message:
                return ("declined", "")
            raise
        if post.get("status") == "publish":
            return ("adopted", post.get("link", ""))
        if post.get("status") == "trash":
            return ("declined", "")
        return None

    def test_connection(self, recorder):
        me = self._call(recorder, "GET", "users/me", params={"context": "edit"})
        return f"Signed in to {self.outlet.endpoint} as {me.get('name') or me.get('slug')}."


def media_marker(delivery, photo):
    """The file name (and so the slug) of a photo's upload: the delivery's key and the photo's hash."""
    return f"{delivery.marker}-{photo.sha256}"


def _photos(delivery):
    return [p for p in delivery.article.photos.all() if p.display]


def _figure(url, caption):
    caption = html.escape(caption)
    image = f'<img src="{html.escape(url)}" alt="{caption}">'
    return f'<figure class="wp-block-image">{image}<figcaption>{caption}</figcaption></figure>'
