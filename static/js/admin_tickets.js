// Ticket page: choosing a canned reply fills the reply box at once (the
// "Insert" button does the same without JavaScript, by reloading the page).
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  const select = document.getElementById("id_canned_reply");
  if (!select) {
    return;
  }
  const box = document.getElementById(select.dataset.fills);
  const button = document.querySelector(".canned-insert");
  if (button) {
    button.hidden = true;
  }
  select.addEventListener("change", function () {
    const option = select.options[select.selectedIndex];
    const text = option ? option.dataset.text : "";
    if (!text || !box) {
      return;
    }
    const typed = box.value.trim();
    box.value = typed ? typed + "\n\n" + text : text;
    box.focus();
  });
});
