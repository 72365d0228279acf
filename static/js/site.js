/*
 * Progressive enhancement only: every page works without this file.
 * Search suggestions live in search.js and the contact form's helpers in
 * contact.js; nothing here duplicates them.
 */
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");

  // "/" jumps to the page's search box, as on most help centers, unless the
  // reader is already typing somewhere.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    var active = document.activeElement;
    if (active && (active.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName))) {
      return;
    }
    var box = document.querySelector('.search-form input[type="search"]');
    if (box) {
      event.preventDefault();
      box.focus();
      box.select();
    }
  });
})();
