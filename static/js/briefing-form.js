// The briefing's compose page: autosave with the same rules as items (a stale version pauses it).
// The page works without it ("Save", plain text areas).
import { createBodyEditor } from "./rich-text.js";

const DELAY = 2000;
const RETRY_DELAY = 5000;

const form = document.getElementById("briefing-form");
const status = document.getElementById("autosave-status");
let dirty = false;
let paused = false;
let timer = null;
let inflight = null;

const show = (text, tone = "") => {
  status.textContent = text;
  status.dataset.tone = tone;
};

async function save() {
  clearTimeout(timer);
  if (inflight) await inflight;
  if (!dirty || paused) return;
  dirty = false;
  show(status.dataset.saving);
  inflight = (async () => {
    try {
      const response = await fetch(form.dataset.autosaveUrl, {
        method: "POST",
        body: new FormData(form),
        headers: { "X-CSRFToken": form.elements.csrfmiddlewaretoken.value, Accept: "application/json" },
        credentials: "same-origin",
      });
      const body = await response.json().catch(() => ({}));
      if (response.ok) {
        form.elements.version.value = body.version;
        const time = new Date(body.saved_at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
        show(status.dataset.saved.replace("%(time)s", time), "ok");
      } else if (response.status === 409) {
        paused = true;
        show(body.conflict ? status.dataset.conflict : body.error, "warn");
      } else {
        dirty = true;
        show(body.error || status.dataset.offline, "warn");
      }
    } catch {
      dirty = true;
      show(status.dataset.offline, "warn");
      timer = setTimeout(save, RETRY_DELAY);
    }
  })();
  await inflight;
  inflight = null;
}

if (form) {
  for (const textarea of form.querySelectorAll("textarea[data-body-editor]")) createBodyEditor(textarea);
  form.addEventListener("input", () => {
    dirty = true;
    clearTimeout(timer);
    timer = setTimeout(save, DELAY);
  });
  form.addEventListener("submit", () => clearTimeout(timer));
  window.addEventListener("pagehide", () => { if (dirty && !paused) save(); });
}
