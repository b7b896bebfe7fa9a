// Keyboard shortcuts for the review pages. Plain script, no build step; the pages work without it.
(function () {
  "use strict";
  const typing = (el) => el && (el.tagName === "TEXTAREA" || el.tagName === "INPUT" || el.tagName === "SELECT");
  const rows = () => Array.from(document.querySelectorAll("tr.row, tr.segment"));
  let current = -1;

  function select(i) {
    const all = rows();
    if (!all.length) return;
    current = Math.max(0, Math.min(all.length - 1, i));
    all.forEach((r, n) => r.classList.toggle("selected", n === current));
    all[current].scrollIntoView({ block: "nearest" });
  }

  function open() {
    const row = rows()[current];
    if (!row) return;
    if (row.dataset.href) { window.location = row.dataset.href; return; }
    const area = row.querySelector("textarea");
    if (area) { area.focus(); area.setSelectionRange(area.value.length, area.value.length); }
  }

  function submit(id) {
    const form = document.getElementById("review-form");
    const button = document.getElementById(id);
    if (form && button) form.requestSubmit(button);
  }

  document.addEventListener("click", (event) => {
    if (event.target.closest("[data-help]")) document.getElementById("help").showModal();
  });

  // Typed but unsaved text must not be lost by leaving the page: the browser asks first.
  const form = document.getElementById("review-form");
  let submitting = false;
  const unsaved = () => form && Array.from(form.querySelectorAll("textarea, select")).some((el) =>
    el.tagName === "TEXTAREA" ? el.value !== el.defaultValue
      : Array.from(el.options).some((o) => o.selected !== o.defaultSelected));
  if (form) {
    form.addEventListener("submit", () => { submitting = true; });
    window.addEventListener("beforeunload", (event) => {
      if (!submitting && unsaved()) { event.preventDefault(); event.returnValue = ""; }
    });
    // Grow each translation box with its text where CSS field-sizing is not supported.
    if (!CSS.supports("field-sizing", "content")) {
      const grow = (area) => { area.style.height = "auto"; area.style.height = area.scrollHeight + 4 + "px"; };
      form.querySelectorAll("textarea").forEach((area) => {
        grow(area);
        area.addEventListener("input", () => grow(area));
      });
    }
  }

  document.addEventListener("keydown", (event) => {
    const el = document.activeElement;
    if ((event.ctrlKey || event.metaKey) && (event.key === "s" || event.key === "Enter")) {
      event.preventDefault();
      submit("save");
      return;
    }
    if (el && el.id === "note" && event.key === "Enter") {
      event.preventDefault();
      submit(el.dataset.pending === "reject" ? "reject" : "save");
      return;
    }
    if (typing(el)) {
      if (event.key === "Escape") {
        const row = el.closest("tr.segment");
        el.blur();
        if (row) select(rows().indexOf(row));
      }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const link = (id) => { const a = document.getElementById(id); if (a) window.location = a.href; };
    const actions = {
      j: () => select(current + 1),
      k: () => select(current - 1),
      e: open,
      Enter: open,
      a: () => submit("approve"),
      r: () => { const note = document.getElementById("note"); if (note) { note.dataset.pending = "reject"; note.focus(); } },
      h: () => link("history-link"),
      u: () => link("queue-link"),
      n: () => link("next-link"),
      p: () => link("previous-link"),
      f: () => submit("needs-review"),
      "?": () => document.getElementById("help").showModal(),
    };
    if (actions[event.key]) { event.preventDefault(); actions[event.key](); }
  });
})();
