// The rich-text body editor (django-prose-editor's Tiptap bundle), shared by the drafting form
// and the bulletin form. Without script, the plain textarea stays.
import * as E from "../django_prose_editor/editor.js";

// Word puts list items in <p class="MsoListParagraph" style="mso-list:l0 level1 lfo1"> with the
// bullet or number as text; turn them back into real lists before the editor reads the paste.
export function wordListsToHtml(html) {
  if (!/mso-list|MsoListParagraph/i.test(html)) return html;
  const doc = new DOMParser().parseFromString(html, "text/html");
  let list = null;
  for (const p of [...doc.body.querySelectorAll("p")]) {
    const style = p.getAttribute("style") || "";
    if (!/mso-list:\s*l\d/i.test(style) && !/MsoListParagraph/i.test(p.className)) {
      list = null;
      continue;
    }
    const marker = p.querySelector('[style*="mso-list:Ignore"], [style*="mso-list: Ignore"]');
    const markerText = marker ? marker.textContent.trim() : "";
    if (marker) marker.remove();
    const tag = /^\(?[0-9a-zA-Z]{1,3}[.)]/.test(markerText) ? "OL" : "UL";
    if (!list || list.tagName !== tag || p.previousElementSibling !== list) {
      list = doc.createElement(tag);
      p.before(list);
    }
    const item = doc.createElement("li");
    item.innerHTML = p.innerHTML;
    list.append(item);
    p.remove();
  }
  return doc.body.innerHTML;
}

const WordPaste = E.Extension.create({
  name: "wordPaste",
  addProseMirrorPlugins() {
    return [new E.Plugin({ props: { transformPastedHTML: wordListsToHtml } })];
  },
});

// The toolbar's titles come in English; the page gives ours (static/js/editor-labels.js).
function relabelToolbar(wrapper) {
  if (!window.editorLabel) return;
  for (const button of wrapper.querySelectorAll("button[title]")) {
    const label = window.editorLabel(button.title);
    button.title = label;
    button.setAttribute("aria-label", label);
  }
}

export function createBodyEditor(textarea) {
  const wrapper = document.createElement("div");
  wrapper.className = "prose-editor";
  textarea.before(wrapper);
  wrapper.append(textarea);
  textarea.hidden = true;
  const label = document.querySelector(`label[for="${textarea.id}"]`);
  if (label) label.id ||= `${textarea.id}-label`;
  return new E.Editor({
    element: wrapper,
    injectCSS: false, // a <style> tag would break the Content Security Policy; editor.css has it
    extensions: [
      E.Document, E.Paragraph, E.Text, E.HardBreak, E.Bold, E.Italic,
      E.BulletList, E.OrderedList, E.ListItem,
      E.Table, E.TableRow, E.TableHeader, E.TableCell,
      E.History, E.Dropcursor, E.Gapcursor, E.Menu, WordPaste,
    ],
    content: textarea.value,
    editorProps: {
      attributes: {
        role: "textbox",
        "aria-multiline": "true",
        ...(label ? { "aria-labelledby": label.id } : {}),
        "data-testid": "body-editor",
      },
    },
    onCreate() {
      relabelToolbar(wrapper);
    },
    onUpdate({ editor }) {
      const html = editor.getHTML();
      textarea.value = /^<p><\/p>$/.test(html) ? "" : html;
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    },
  });
}

