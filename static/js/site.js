// Small behaviours for every page. No inline script anywhere (CSP): everything hangs off data-*.
document.documentElement.classList.add("js");

// A form that is already on its way is not sent again by a second click.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (event.defaultPrevented || form.method.toLowerCase() !== "post") return;
  const confirmText = event.submitter?.dataset.confirm;
  if (confirmText && !window.confirm(confirmText)) {
    event.preventDefault();
    return;
  }
  if (form.dataset.submitting) {
    event.preventDefault();
    return;
  }
  form.dataset.submitting = "1";
  showBusy(event.submitter);
});

// Long work (publishing a bulletin, importing a sheet): the button says what is happening.
function showBusy(button) {
  const text = button?.dataset.busy;
  if (!text) return;
  const spinner = document.createElement("span");
  spinner.className = "spinner-border spinner-border-sm me-1";
  spinner.setAttribute("aria-hidden", "true");
  button.dataset.idleText = button.textContent;
  button.textContent = text;
  button.prepend(spinner);
  button.setAttribute("aria-busy", "true");
}

// Coming back with the browser's Back button shows the page as it was: let its forms work again.
window.addEventListener("pageshow", () => {
  for (const form of document.querySelectorAll("form[data-submitting]")) delete form.dataset.submitting;
  for (const button of document.querySelectorAll("[aria-busy][data-idle-text]")) {
    button.textContent = button.dataset.idleText;
    button.removeAttribute("aria-busy");
  }
});

// A wide table says "swipe sideways" only when it is wider than the screen (includes/scroll_table.html).
function markOverflowingTables() {
  for (const box of document.querySelectorAll(".scroll-table")) {
    const region = box.querySelector(".table-responsive");
    box.classList.toggle("is-overflowing", region.scrollWidth > region.clientWidth + 1);
  }
}
document.addEventListener("DOMContentLoaded", markOverflowingTables);
window.addEventListener("resize", markOverflowingTables);
