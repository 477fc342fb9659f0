// The officer's drafting form: rich-text body, live length, autosave, photo uploads.
// Loaded as a module; the form works without it (plain textarea, "Save draft", "Upload").
import { createBodyEditor } from "./rich-text.js";

// --- Live length -------------------------------------------------------------------------

// Counted as the server counts: visible characters, spaces excluded, a Chinese character is one.
export function textLength(html) {
  const text = new DOMParser().parseFromString(html, "text/html").body.textContent || "";
  return [...text.replace(/\s+/g, "")].length;
}

function setupCounter(form, textarea) {
  const output = document.getElementById("body-count");
  const limits = JSON.parse(textarea.dataset.limits || "{}");
  const category = form.elements.category;
  const fill = (template, values) => template.replace(/%\((\w+)\)s/g, (_, key) => values[key]);
  const update = () => {
    const count = textLength(textarea.value);
    const [soft, hard] = limits[category?.value] || [null, null];
    const parts = [fill(output.dataset.labelTemplate, { count })];
    if (soft) parts.push(fill(output.dataset.softTemplate, { limit: soft }));
    if (hard) parts.push(fill(output.dataset.hardTemplate, { limit: hard }));
    output.textContent = parts.join(" · ");
    output.classList.toggle("text-warning-emphasis", Boolean(soft && count > soft && !(hard && count > hard)));
    output.classList.toggle("text-danger", Boolean(hard && count > hard));
  };
  textarea.addEventListener("input", update);
  category?.addEventListener("change", update);
  update();
}

// --- Autosave ----------------------------------------------------------------------------

const AUTOSAVE_DELAY = 2000; // after the last keystroke
const AUTOSAVE_MAX_WAIT = 8000; // while typing without a pause
const RETRY_DELAY = 5000;

function setupAutosave(form) {
  const status = document.getElementById("autosave-status");
  const uploadForm = document.getElementById("photo-upload-form");
  const csrf = form.elements.csrfmiddlewaretoken.value;
  let dirty = false;
  let paused = false;
  let submitting = false;
  let inflight = null;
  let timer = null;
  let firstDirtyAt = 0;

  const show = (text, tone = "") => {
    status.textContent = text;
    status.dataset.tone = tone;
  };
  const payload = () => {
    const data = new FormData(form);
    data.delete("action");
    return data;
  };
  const adopt = (urls) => {
    // The first save of a new form created the draft: from now on, this page edits it.
    if (form.dataset.autosaveUrl === urls.autosave_url) return;
    form.action = urls.edit_url;
    form.dataset.autosaveUrl = urls.autosave_url;
    uploadForm.action = urls.upload_url;
    history.replaceState(null, "", urls.edit_url);
    for (const button of document.querySelectorAll('[form="photo-upload-form"][disabled]')) button.disabled = false;
  };

  function schedule() {
    const now = Date.now();
    if (!firstDirtyAt) firstDirtyAt = now;
    clearTimeout(timer);
    const wait = Math.min(AUTOSAVE_DELAY, Math.max(0, firstDirtyAt + AUTOSAVE_MAX_WAIT - now));
    timer = setTimeout(save, wait);
  }

  async function save() {
    clearTimeout(timer);
    if (inflight) await inflight;
    if (!dirty || paused || submitting) return;
    dirty = false;
    firstDirtyAt = 0;
    show(status.dataset.saving);
    inflight = (async () => {
      try {
        const response = await fetch(form.dataset.autosaveUrl, {
          method: "POST",
          body: payload(),
          headers: { "X-CSRFToken": csrf, Accept: "application/json" },
          credentials: "same-origin",
        });
        const body = await response.json().catch(() => ({}));
        if (response.ok) {
          form.elements.version.value = body.version;
          adopt(body);
          show(body.saved_message, "ok"); // the server writes the time in the page's language
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

  const changed = (event) => {
    if (event.target.form !== form && event.target !== form) return;
    dirty = true;
    schedule();
  };
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  window.addEventListener("online", () => dirty && save());

  // Leaving the page (closing the tab, switching apps on a phone): send what is unsaved now.
  const flush = () => {
    if (dirty && !paused && !submitting) {
      navigator.sendBeacon(form.dataset.autosaveUrl, payload());
      dirty = false;
    }
  };
  window.addEventListener("pagehide", flush);
  document.addEventListener("visibilitychange", () => document.visibilityState === "hidden" && flush());

  // A click on "Save draft" or "Submit" waits for a running autosave, so it carries the new version.
  form.addEventListener("submit", (event) => {
    clearTimeout(timer);
    if (submitting || !inflight) {
      submitting = true;
      return;
    }
    event.preventDefault();
    const { submitter } = event;
    inflight.then(() => {
      submitting = true;
      // A new task: a form ignores requestSubmit() while its submit event is being dispatched.
      setTimeout(() => form.requestSubmit(submitter));
    });
  });

  return {
    // The draft must exist before a photo can be attached to it.
    async ensureSaved() {
      if (!uploadForm.getAttribute("action")) {
        dirty = true;
        await save();
      }
      return uploadForm.getAttribute("action");
    },
  };
}

// --- Photos ------------------------------------------------------------------------------

function setupPhotos(form, saver) {
  const list = document.getElementById("photo-list");
  const queue = document.getElementById("upload-queue");
  const template = document.getElementById("upload-item-template");
  const text = document.getElementById("upload-messages").dataset;
  const maxEdge = Number(form.dataset.maxEdge) || 2560;
  const maxPhotos = Number(form.dataset.maxPhotos) || 20;
  const csrf = form.elements.csrfmiddlewaretoken.value;

  for (const input of document.querySelectorAll(".photo-picker")) {
    input.addEventListener("change", () => {
      const files = [...input.files];
      input.value = "";
      for (const file of files) enqueue(file);
    });
  }

  function enqueue(file) {
    const item = template.content.firstElementChild.cloneNode(true);
    item.querySelector(".upload-name").textContent = file.name;
    queue.append(item);
    const pending = list.children.length + queue.children.length - 1;
    if (pending >= maxPhotos) {
      fail(item, text.tooMany, false);
      return;
    }
    process(file, item);
  }

  async function process(file, item) {
    setState(item, text.resizing);
    const upload = await downscale(file, maxEdge);
    const send = async () => {
      const url = await saver.ensureSaved().catch(() => null);
      if (!url) return fail(item, text.failed, true, send);
      sendPhoto(url, upload, item, send);
    };
    item.querySelector(".upload-retry").addEventListener("click", () => send());
    send();
  }

  function sendPhoto(url, upload, item, retry) {
    const progress = item.querySelector("progress");
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.setRequestHeader("X-CSRFToken", csrf);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) progress.value = Math.round((event.loaded / event.total) * 100);
    });
    xhr.addEventListener("load", () => {
      let body = {};
      try {
        body = JSON.parse(xhr.responseText);
      } catch {}
      if (xhr.status === 201) {
        list.insertAdjacentHTML("beforeend", body.html);
        const row = list.lastElementChild;
        window.htmx?.process(row);
        enableReorder(row);
        renumber(list);
        item.remove();
      } else {
        fail(item, body.error || text.failed, xhr.status >= 500 || xhr.status === 0, retry);
      }
    });
    xhr.addEventListener("error", () => fail(item, text.failed, true, retry));
    item.querySelector(".upload-error").textContent = "";
    item.querySelector(".upload-retry").hidden = true;
    setState(item, text.uploading);
    progress.value = 0;
    const data = new FormData();
    data.append("photo", upload, upload.name);
    xhr.send(data);
  }

  function setState(item, state) {
    item.querySelector(".upload-state").textContent = state;
  }

  function fail(item, message, retryable) {
    setState(item, "");
    item.querySelector(".upload-error").textContent = message;
    item.querySelector(".upload-retry").hidden = !retryable;
    if (!retryable) {
      const dismiss = item.querySelector(".upload-retry");
      dismiss.hidden = true;
      setTimeout(() => item.classList.add("upload-failed"), 0);
    }
  }
}

// Photos with a long edge above maxEdge are re-encoded smaller in the browser before upload:
// a phone on a slow link sends a fraction of the bytes. Anything the browser cannot decode
// (HEIC in most browsers) goes up as it is; the server validates and converts it.
export async function downscale(file, maxEdge) {
  let bitmap;
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  } catch {
    return file;
  }
  const scale = maxEdge / Math.max(bitmap.width, bitmap.height);
  if (scale >= 1) {
    bitmap.close();
    return file;
  }
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.88));
  if (!blob) return file;
  return new File([blob], file.name.replace(/\.[^.]*$/, "") + ".jpg", { type: "image/jpeg" });
}

// --- Reordering --------------------------------------------------------------------------

function enableReorder(row) {
  for (const button of row.querySelectorAll(".photo-move")) {
    button.hidden = false;
    button.addEventListener("click", () => {
      const list = row.parentElement;
      if (button.dataset.move === "-1" && row.previousElementSibling) {
        list.insertBefore(row, row.previousElementSibling);
      } else if (button.dataset.move === "1" && row.nextElementSibling) {
        list.insertBefore(row.nextElementSibling, row);
      }
      renumber(list);
      button.focus();
    });
  }
}

function renumber(list) {
  [...list.querySelectorAll(".photo-order")].forEach((input, index) => {
    input.value = index + 1;
  });
  list.closest("form")?.dispatchEvent(new Event("change", { bubbles: true }));
}

// --- Start ---------------------------------------------------------------------------------

for (const textarea of document.querySelectorAll("textarea[data-body-editor]")) createBodyEditor(textarea);

const form = document.getElementById("article-form");
if (form) {
  const textarea = form.querySelector("textarea[data-body-editor]");
  if (textarea) setupCounter(form, textarea);
  setupPhotos(form, setupAutosave(form));
  for (const row of document.querySelectorAll("#photo-list .photo-row")) enableReorder(row);
}
