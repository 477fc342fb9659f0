// The rich-text editor's words in the page's language (see submissions/templatetags/editor.py).
// A classic script, so it runs before the editor's module reads window.gettext.
(() => {
  let labels = null;
  const translate = (text) => {
    labels ??= JSON.parse(document.getElementById("editor-labels")?.textContent || "{}");
    return labels[text] ?? text;
  };
  window.gettext ??= translate;
  window.editorLabel = translate;
})();
