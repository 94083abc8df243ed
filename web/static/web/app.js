// The screens' few behaviours, without inline scripts (the Content-Security-Policy allows none).
// 1. In a form marked data-enter-next, Enter moves to the next field instead of submitting
//    (sales admins type orders by keyboard); Enter on a button, or Ctrl+Enter anywhere, submits.
// 2. An element with data-autofocus takes the focus when the page opens or htmx swaps it in.
// 3. The menu's dropdowns (see below).
(function () {
  "use strict";
  function fields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return !el.disabled && el.type !== "hidden" && el.offsetParent !== null && el.tabIndex !== -1 && el.tagName !== "FIELDSET";
    });
  }
  document.addEventListener("keydown", function (event) {
    var el = event.target;
    var form = el.form;
    if (event.key !== "Enter" || !form || !form.hasAttribute("data-enter-next")) return;
    if (el.tagName === "TEXTAREA" || el.tagName === "BUTTON" || el.type === "submit") return;
    if (event.ctrlKey || event.metaKey) { // Ctrl+Enter saves from any field
      event.preventDefault();
      form.requestSubmit();
      return;
    }
    event.preventDefault();
    var list = fields(form);
    var next = list[list.indexOf(el) + 1];
    if (next) {
      next.focus();
      if (next.select && next.tagName === "INPUT") next.select();
    }
  });
  function autofocus(root) {
    var el = (root || document).querySelector("[data-autofocus]");
    if (el) el.focus();
  }
  document.addEventListener("DOMContentLoaded", function () {
    autofocus(document);
    // The menu is open in the page (so it shows without scripts); on a phone it starts folded.
    var menu = document.querySelector("details.menu");
    if (menu && window.matchMedia("(max-width: 720px)").matches) menu.removeAttribute("open");
  });
  document.addEventListener("htmx:afterSwap", function (event) { autofocus(event.detail.target); });
  // The menu's sections are <details> dropdowns: one open at a time; Escape closes the open one
  // and gives the focus back to its heading; a click elsewhere closes it.
  function menuGroups() { return document.querySelectorAll(".nav-group details"); }
  document.addEventListener("toggle", function (event) {
    var opened = event.target;
    if (!opened.matches || !opened.matches(".nav-group details") || !opened.open) return;
    Array.prototype.forEach.call(menuGroups(), function (other) { if (other !== opened) other.open = false; });
  }, true);
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var open = event.target.closest && event.target.closest(".nav-group details[open]");
    if (!open) return;
    open.open = false;
    open.querySelector("summary").focus();
  });
  document.addEventListener("click", function (event) {
    Array.prototype.forEach.call(menuGroups(), function (group) {
      if (group.open && !group.contains(event.target)) group.open = false;
    });
  });
  // A link or button with data-confirm asks before it acts.
  document.addEventListener("click", function (event) {
    var el = event.target.closest("[data-confirm]");
    if (el && !window.confirm(el.getAttribute("data-confirm"))) event.preventDefault();
  });
})();
