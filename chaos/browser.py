"""A person at the web process, as their browser would be: a session cookie, the CSRF token from the
page's form, a POST of the decision form."""

import re
import time

import httpx

from .office import PASSWORD

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
REVISION = re.compile(r'name="revision" value="(\d+)"')


class Browser:
    def __init__(self, base_url, username, *, timeout=45.0, cookies=None):
        self.base_url = base_url
        self.username = username
        self.client = httpx.Client(base_url=base_url, timeout=timeout, follow_redirects=False)
        if cookies:
            self.client.cookies.update(cookies)

    def sign_in(self):
        page = self.client.get("/accounts/login/")
        token = CSRF.search(page.text).group(1)
        answer = self.client.post(
            "/accounts/login/",
            data={"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{self.base_url}/accounts/login/"},
        )
        if answer.status_code != 302:
            raise RuntimeError(f"{self.username} could not sign in: HTTP {answer.status_code}")
        return self

    def twin(self):
        """Another browser tab with the same session (its own connection)."""
        return Browser(
            self.base_url, self.username, timeout=self.client.timeout.read, cookies=self.client.cookies
        )

    def open_step(self, step_id):
        """The reviewer's page of a step: (csrf token, revision shown)."""
        page = self.client.get(f"/reviews/steps/{step_id}/")
        page.raise_for_status()
        return CSRF.search(page.text).group(1), REVISION.search(page.text).group(1)

    def approve(self, step_id, outlet_ids, opened=None):
        """Press "Approve" on the step page. Returns (outcome, seconds the POST took): outcome is
        "approved", "refused" (redirected back to the step with a message), "HTTP <n>" or the error."""
        token, revision = opened or self.open_step(step_id)
        data = {"decision": "approve", "revision": revision, "comment": "", "csrfmiddlewaretoken": token}
        data["outlets"] = [str(pk) for pk in outlet_ids]
        started = time.monotonic()
        try:
            answer = self.client.post(
                f"/reviews/steps/{step_id}/decide/",
                data=data,
                headers={"Referer": f"{self.base_url}/reviews/steps/{step_id}/"},
            )
        except httpx.HTTPError as error:
            return f"no answer ({error.__class__.__name__})", time.monotonic() - started
        seconds = time.monotonic() - started
        if answer.status_code == 302:
            back_to_step = answer.headers["location"].rstrip("/").endswith(f"/steps/{step_id}")
            return ("refused" if back_to_step else "approved"), seconds
        return f"HTTP {answer.status_code}", seconds

    def get(self, path):
        """(status or error name, seconds)."""
        started = time.monotonic()
        try:
            status = self.client.get(path).status_code
        except httpx.HTTPError as error:
            status = error.__class__.__name__
        return status, time.monotonic() - started

    def close(self):
        self.client.close()
