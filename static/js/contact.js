/*
 * Contact form helpers, progressive enhancement only: without this file the
 * form shows every topic's fields and the server validates the chosen one.
 *
 * 1. Show only the detail fields that the chosen topic uses.
 * 2. While the subject is typed, list matching articles from
 *    GET /api/search?q=&lang=&limit=5 ({"results": [{"title", "url", ...}]}).
 */
(function () {
  "use strict";
  var form = document.querySelector(".contact-form");
  if (!form) {
    return;
  }

  var category = form.querySelector("#id_category");
  var topicFields = form.querySelectorAll("[data-kinds]");
  var fieldset = form.querySelector(".topic-fields");

  function showFieldsForTopic() {
    var option = category.options[category.selectedIndex];
    var kind = option ? option.getAttribute("data-kind") : "";
    var shown = 0;
    topicFields.forEach(function (wrapper) {
      var kinds = wrapper.getAttribute("data-kinds").split(" ");
      var visible = !!kind && kinds.indexOf(kind) !== -1;
      wrapper.hidden = !visible;
      if (visible) {
        shown += 1;
      }
    });
    if (fieldset) {
      fieldset.hidden = shown === 0;
    }
  }

  if (category) {
    category.addEventListener("change", showFieldsForTopic);
    showFieldsForTopic();
  }

  var subject = form.querySelector("#id_subject");
  var box = document.getElementById("subject-suggestions");
  var searchUrl = form.getAttribute("data-search-url");
  if (!subject || !box || !searchUrl || !window.fetch) {
    return;
  }
  var lang = document.documentElement.getAttribute("lang") || "";
  lang = lang.toLowerCase() === "zh-hans" ? "zh-hans" : lang.toLowerCase();
  var timer = null;
  var latest = 0;

  function render(results) {
    box.textContent = "";
    if (!results.length) {
      box.hidden = true;
      return;
    }
    var heading = document.createElement("p");
    heading.textContent = box.getAttribute("data-heading") || "Did one of these answer your question?";
    var list = document.createElement("ul");
    results.forEach(function (result) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = result.url;
      link.textContent = result.title;
      link.target = "_blank";
      link.rel = "noopener";
      item.appendChild(link);
      list.appendChild(item);
    });
    box.appendChild(heading);
    box.appendChild(list);
    box.hidden = false;
  }

  function lookup() {
    var query = subject.value.trim();
    if (query.length < 2) {
      render([]);
      return;
    }
    var ticket = ++latest;
    var url = searchUrl + "?q=" + encodeURIComponent(query) + "&lang=" + encodeURIComponent(lang) + "&limit=5";
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        return response.ok ? response.json() : { results: [] };
      })
      .then(function (data) {
        // Answers can arrive out of order; only the newest query counts.
        if (ticket === latest) {
          render((data && data.results) || []);
        }
      })
      .catch(function () {
        render([]);
      });
  }

  subject.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(lookup, 250);
  });
})();
