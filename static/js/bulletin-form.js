// The bulletin's text: the same editor as an item's body.
import { createBodyEditor } from "./rich-text.js";

for (const textarea of document.querySelectorAll("textarea[data-body-editor]")) createBodyEditor(textarea);
