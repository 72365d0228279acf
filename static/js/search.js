/*
 * Instant search: turns every <input data-instant-search> into an ARIA 1.2
 * combobox listing results from GET /api/search as the user types.
 * Without this script the input is a plain search box that submits its form
 * to the results page, so nothing depends on it.
 *
 * Keys: ArrowDown/ArrowUp move through the results, Enter opens the active
 * result (or submits the form when none is active), Escape closes the list
 * (a second Escape clears the input). Result counts are announced through a
 * polite live region.
 */
(function () {
  "use strict";

  var DELAY_MS = 150;
  var LIMIT = 8;
  var instances = 0;

  function pageLanguage() {
    var lang = (document.documentElement.lang || "").toLowerCase();
    return lang === "zh-hans" || lang.indexOf("zh") === 0 ? "zh-hans" : lang || "";
  }

  function text(el, key, fallback) {
    return el.getAttribute("data-" + key) || fallback;
  }

  function enhance(input) {
    var form = input.form;
    if (!form || input.getAttribute("role") === "combobox") {
      return;
    }
    instances += 1;
    var listId = "instant-search-list-" + instances;
    var endpoint = input.getAttribute("data-instant-search") || "/api/search";
    var zh = pageLanguage() === "zh-hans";
    var messages = {
      none: text(input, "none", zh ? "没有找到文章，按回车查看完整搜索结果。" : "No articles found. Press Enter for the full results page."),
      some: text(input, "some", zh ? "找到 {n} 篇文章，用上下方向键浏览。" : "{n} articles found. Use the up and down arrow keys to browse."),
      all: text(input, "all", zh ? "查看全部 {n} 条结果" : "See all {n} results")
    };

    var wrapper = document.createElement("div");
    wrapper.className = "instant-search";
    input.parentNode.insertBefore(wrapper, input);
    wrapper.appendChild(input);

    var list = document.createElement("ul");
    list.id = listId;
    list.className = "instant-search-results";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    wrapper.appendChild(list);

    var live = document.createElement("div");
    live.className = "visually-hidden";
    live.setAttribute("aria-live", "polite");
    live.setAttribute("role", "status");
    wrapper.appendChild(live);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);

    var timer = null;
    var controller = null;
    var active = -1;
    var options = [];

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function setActive(index) {
      if (!options.length) {
        return;
      }
      if (active >= 0 && options[active]) {
        options[active].setAttribute("aria-selected", "false");
      }
      active = (index + options.length) % options.length;
      options[active].setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", options[active].id);
      options[active].scrollIntoView({ block: "nearest" });
    }

    function option(id, href, title, snippetHtml) {
      var li = document.createElement("li");
      li.id = id;
      li.className = "instant-search-option";
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.setAttribute("data-href", href);
      var strong = document.createElement("span");
      strong.className = "instant-search-title";
      strong.textContent = title;
      li.appendChild(strong);
      if (snippetHtml) {
        var small = document.createElement("span");
        small.className = "instant-search-snippet";
        // The API escapes the article text and only adds <mark> elements.
        small.innerHTML = snippetHtml;
        li.appendChild(small);
      }
      li.addEventListener("mousedown", function (event) {
        event.preventDefault();
        window.location.href = href;
      });
      return li;
    }

    function render(data) {
      list.textContent = "";
      options = [];
      active = -1;
      data.results.forEach(function (result, index) {
        var li = option(listId + "-" + index, result.open_url || result.url, result.title, result.snippet);
        options.push(li);
        list.appendChild(li);
      });
      if (data.total > data.results.length) {
        var all = option(
          listId + "-all",
          form.action + "?q=" + encodeURIComponent(input.value),
          messages.all.replace("{n}", data.total),
          ""
        );
        all.classList.add("instant-search-all");
        options.push(all);
        list.appendChild(all);
      }
      list.hidden = options.length === 0;
      input.setAttribute("aria-expanded", options.length ? "true" : "false");
      live.textContent = data.total
        ? messages.some.replace("{n}", data.total)
        : messages.none;
    }

    function fetchResults() {
      var query = input.value.trim();
      if (!query) {
        close();
        live.textContent = "";
        return;
      }
      if (controller) {
        controller.abort();
      }
      controller = window.AbortController ? new AbortController() : null;
      var url = endpoint + "?q=" + encodeURIComponent(query) +
        "&lang=" + encodeURIComponent(pageLanguage()) + "&limit=" + LIMIT;
      fetch(url, { headers: { Accept: "application/json" }, signal: controller && controller.signal })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("search failed");
          }
          return response.json();
        })
        .then(function (data) {
          if (input.value.trim() === query) {
            render(data);
          }
        })
        .catch(function () {
          // Offline or aborted: the form still submits to the results page.
          close();
        });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(fetchResults, DELAY_MS);
    });

    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (list.hidden && options.length) {
          list.hidden = false;
          input.setAttribute("aria-expanded", "true");
        }
        if (options.length) {
          event.preventDefault();
          setActive(active + (event.key === "ArrowDown" ? 1 : -1));
        }
      } else if (event.key === "Enter") {
        if (!list.hidden && active >= 0 && options[active]) {
          event.preventDefault();
          window.location.href = options[active].getAttribute("data-href");
        }
      } else if (event.key === "Escape") {
        if (!list.hidden) {
          event.preventDefault();
          close();
        } else if (input.value) {
          event.preventDefault();
          input.value = "";
          live.textContent = "";
        }
      }
    });

    input.addEventListener("blur", function () {
      window.setTimeout(close, 100);
    });
  }

  function init() {
    var inputs = document.querySelectorAll("input[data-instant-search]");
    Array.prototype.forEach.call(inputs, enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
