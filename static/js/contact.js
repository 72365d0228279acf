/*
 * Contact form helpers, progressive enhancement only: without this file the
 * form shows every topic's fields and the server validates the chosen one.
 *
 * 1. Show only the detail fields that the chosen topic uses, and the
 *    incident notices about it (all are rendered, each with data-topics).
 * 2. While the subject is typed, list matching articles from
 *    POST /api/search with q, lang and limit=5 in the body (never in the
 *    URL, which proxies and access logs keep), answered with
 *    {"results": [{"title", "url", ...}]}. Nothing is sent while the
 *    subject looks like a recovery phrase or a key (looksSecret); the
 *    server also refuses to search or record such text.
 */
(function () {
  "use strict";
  var form = document.querySelector(".contact-form");
  if (!form) {
    return;
  }

  var category = form.querySelector("#id_category");
  var topicFields = form.querySelectorAll("[data-kinds]");
  var notices = form.querySelectorAll("[data-topics]");
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
    var slug = category.value;
    notices.forEach(function (notice) {
      var slugs = notice.getAttribute("data-topics").split(" ");
      notice.hidden = !slug || slugs.indexOf(slug) === -1;
    });
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
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]");
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

  // Words that are rare in a recovery phrase but common in a sentence; a
  // run of six other short lowercase words reads as a phrase (half of a
  // 12-word phrase split between the subject and the message).
  var STOP = ("a about after again all also am an and any are as at be been but by can " +
    "cannot did do does for from get got had has have help how i if in into is it its " +
    "me my no not of on or our please so than that the then there they this to too " +
    "up was we what when where which why will with you your").split(" ");

  function phraseLike(text) {
    var run = 0;
    var words = text.split(/[^A-Za-z]+/);
    for (var i = 0; i < words.length; i++) {
      var word = words[i];
      if (!word) {
        continue;
      }
      var lower = word.toLowerCase();
      var plain = word === lower && word.length >= 3 && word.length <= 8;
      run = plain && STOP.indexOf(lower) === -1 ? run + 1 : 0;
      if (run >= 6) {
        return true;
      }
    }
    return false;
  }

  // A cheap client-side guess, on purpose generous: a false alarm only
  // means no suggestions for that subject.
  function looksSecret(text) {
    return phraseLike(text) ||
      /[0-9a-fA-F]{32,}/.test(text) ||
      /[1-9A-HJ-NP-Za-km-z]{40,}/.test(text) ||
      /[A-Za-z]{24,}/.test(text) ||
      /(?:[0-9a-fA-F]{4,8}[\s:-]+){4,}/.test(text) ||
      /(?:\d{1,3}\s*,\s*){16,}/.test(text) ||
      /(?:^|\s)[\u3400-\u9fff](?:\s+[\u3400-\u9fff]){5,}(?:\s|$)/.test(text) ||
      /[\u3400-\u9fff]{3,4}(?:\s+[\u3400-\u9fff]{3,4}){2,}/.test(text);
  }

  function lookup() {
    var query = subject.value.trim();
    if (query.length < 2 || looksSecret(query)) {
      latest++;
      render([]);
      return;
    }
    var ticket = ++latest;
    var body = new URLSearchParams({ q: query, lang: lang, limit: "5" });
    fetch(searchUrl, {
      method: "POST",
      body: body,
      headers: {
        Accept: "application/json",
        "X-CSRFToken": csrf ? csrf.value : ""
      },
      credentials: "same-origin"
    })
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
