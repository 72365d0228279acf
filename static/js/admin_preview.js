// Live Markdown preview on the article change form. Without JavaScript the
// "Preview" fieldset still shows the article as last saved.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var body = document.getElementById("id_body");
    if (!body || !window.fetch) return;
    var form = body.form;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button";
    button.textContent = body.dataset.previewLabel || "Preview";
    var output = document.createElement("div");
    output.className = "markdown-preview";
    output.setAttribute("aria-live", "polite");
    // Below the field and its help text, not beside the textarea.
    var box = document.createElement("div");
    box.style.marginTop = "0.5em";
    box.appendChild(button);
    box.appendChild(output);
    var row = body.closest(".form-row");
    (row && row.firstElementChild ? row.firstElementChild : body.parentElement).appendChild(box);
    button.addEventListener("click", function () {
      var data = new FormData();
      data.append("body", body.value);
      data.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
      var url = window.location.pathname.replace(/(\/articles\/article\/).*$/, "$1preview/");
      fetch(url, { method: "POST", body: data, credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (payload) {
          // The server returns HTML sanitised by nh3, the same as the public page.
          output.innerHTML = payload.html;
        });
    });
  });
})();
