// aduan: keyboard shortcuts and bulk selection. The pages work without it.
(function () {
  "use strict";
  function typing(e) {
    var t = e.target;
    return t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
  }
  function cards() { return Array.prototype.slice.call(document.querySelectorAll(".card")); }
  function current() { return document.querySelector(".card.current") || null; }
  function focusCard(card) {
    cards().forEach(function (c) { c.classList.remove("current"); });
    if (card) { card.classList.add("current"); card.focus(); }
  }
  function updateCount() {
    var picked = document.querySelectorAll(".card .pick:checked");
    var label = document.getElementById("selected-count");
    if (label) { label.textContent = picked.length + " dipilih"; }
    cards().forEach(function (c) {
      var box = c.querySelector(".pick");
      c.classList.toggle("selected", !!(box && box.checked));
    });
  }
  document.addEventListener("change", function (e) {
    if (e.target.id === "select-all") {
      document.querySelectorAll(".card .pick").forEach(function (b) { b.checked = e.target.checked; });
    }
    updateCount();
  });
  document.addEventListener("focusin", function (e) {
    var card = e.target.closest && e.target.closest(".card");
    if (card) { cards().forEach(function (c) { c.classList.toggle("current", c === card); }); }
  });
  var bulk = document.getElementById("bulk");
  if (bulk) {
    bulk.addEventListener("submit", function (e) {
      var submitter = e.submitter;
      if (submitter && submitter.value === "tolak") {
        var n = document.querySelectorAll(".card .pick:checked").length;
        if (n > 0 && !window.confirm("Tolak " + n + " kartu terpilih?")) { e.preventDefault(); }
      }
    });
  }
  function click(id) { var el = document.getElementById(id); if (el) { el.click(); } }
  function focusEl(id) { var el = document.getElementById(id); if (el) { el.focus(); } }
  document.addEventListener("keydown", function (e) {
    if (typing(e) || e.ctrlKey || e.metaKey || e.altKey) { return; }
    var list = cards();
    if (list.length) {
      var i = list.indexOf(current());
      if (e.key === "j") { focusCard(list[Math.min(i + 1, list.length - 1)]); e.preventDefault(); }
      else if (e.key === "k") { focusCard(list[Math.max(i - 1, 0)]); e.preventDefault(); }
      else if (e.key === "x" && current()) {
        var box = current().querySelector(".pick"); box.checked = !box.checked; updateCount(); e.preventDefault();
      } else if ((e.key === "o" || e.key === "Enter") && current()) {
        window.location.href = current().getAttribute("data-href"); e.preventDefault();
      } else if (e.key === "d" && current()) {
        var btn = current().querySelector(".quick-defer"); if (btn) { btn.click(); } e.preventDefault();
      }
      return;
    }
    // On an item, a key only opens the form of a decision; the decision itself is the
    // form's button (or Enter in it): no irreversible action on a single key.
    if (document.body.classList.contains("item-page")) {
      if (e.key === "c") { focusEl("confirm-title"); e.preventDefault(); }
      else if (e.key === "m") { focusEl("merge-input"); e.preventDefault(); }
      else if (e.key === "r") { focusEl("reject-reason"); e.preventDefault(); }
      else if (e.key === "d") { click("defer-btn"); e.preventDefault(); }
    }
  });
  updateCount();
})();
// A search box above long selects (data-search): typing hides the SKPD that do not match.
(function () {
  "use strict";
  document.querySelectorAll("select[data-search]").forEach(function (select) {
    var box = document.createElement("input");
    box.type = "search";
    box.placeholder = "Cari SKPD atau kabupaten/kota";
    box.className = "select-search";
    box.setAttribute("aria-label", "Cari SKPD");
    select.parentNode.insertBefore(box, select);
    box.addEventListener("input", function () {
      var words = box.value.toLowerCase().split(/\s+/).filter(Boolean);
      select.querySelectorAll("optgroup").forEach(function (group) {
        var shown = 0;
        group.querySelectorAll("option").forEach(function (option) {
          var text = (option.textContent + " " + group.label).toLowerCase();
          var hit = words.every(function (w) { return text.indexOf(w) >= 0; });
          option.hidden = !hit;
          if (hit) { shown += 1; }
        });
        group.hidden = shown === 0;
      });
      var first = select.querySelector("optgroup:not([hidden]) option:not([hidden])");
      if (first && words.length) { select.value = first.value; }
    });
  });
})();
// Response templates: picking one fills the follow-up note, which stays editable. A note
// already typed is only replaced after a confirmation.
(function () {
  "use strict";
  var picker = document.getElementById("template-picker");
  if (!picker) { return; }
  picker.addEventListener("change", function () {
    var option = picker.options[picker.selectedIndex];
    var target = document.getElementById(picker.getAttribute("data-target"));
    if (!option || !option.value || !target) { return; }
    if (target.value.trim() && !window.confirm("Ganti catatan yang sudah diketik dengan templat?")) { return; }
    target.value = option.getAttribute("data-body");
    target.focus();
  });
})();
// "Pilih Kantor Kecamatan ...": the local-office rule's office becomes the SKPD of the
// confirm form (the admin still confirms with the form's button).
(function () {
  "use strict";
  document.querySelectorAll("button.pick-skpd").forEach(function (button) {
    button.addEventListener("click", function () {
      var select = document.querySelector("select[name=skpd]");
      if (!select) { return; }
      select.value = button.getAttribute("data-skpd");
      select.dispatchEvent(new Event("change"));
      select.focus();
    });
  });
})();
