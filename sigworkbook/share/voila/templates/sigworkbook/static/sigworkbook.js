/*
 * sigworkbook page script: tells the visitor when the page has lost its kernel.
 *
 * Voila keeps one websocket per page to the page's kernel. When that socket closes and does
 * not come back (server stopped, laptop slept, kernel culled), or when the kernel dies or is
 * restarted (its widgets are then gone), the page looks alive but nothing it shows works any
 * more. We watch the socket and show a banner with a Reload button instead.
 *
 * Loaded in <head>, before voila.js, so every kernel websocket goes through the wrapper below.
 */
(function () {
  "use strict";

  var NativeWebSocket = window.WebSocket;
  if (!NativeWebSocket) {
    return;
  }
  var GRACE_MS = 5000; /* JupyterLab reconnects by itself; only a lasting loss is reported */
  var CHECK_EVERY_MS = 30000;
  var KERNEL_CHANNEL = /\/api\/kernels\/[^/?]+\/channels/;
  var FATAL_STATES = { restarting: true, autorestarting: true, dead: true };
  var MESSAGES = {
    lost: "This page can no longer reach the workbook server.",
    kernel: "This page's session on the workbook server has ended.",
  };

  var leaving = false;
  var openSockets = 0;
  var lostTimer = null;
  var shownReason = null;
  var decoder = typeof TextDecoder === "function" ? new TextDecoder() : null;

  function show(reason) {
    if (leaving || shownReason === "kernel") {
      return;
    }
    shownReason = reason;
    var banner = document.getElementById("swb-connection");
    var text = document.getElementById("swb-connection-reason");
    if (!banner) {
      return;
    }
    if (text) {
      text.textContent = MESSAGES[reason];
    }
    banner.hidden = false;
    document.body.classList.add("swb-disconnected");
    keepTyping();
  }

  /* Typing that may not have reached the database is kept in the browser and offered again
     the next time this page (same SIG, same person) opens: text the kernel had not saved yet
     (its field is marked swb-field--unsaved), text typed once the connection is gone, and text
     typed just before the tab was closed (the widgets may still have held it back). Anything
     that turns out to be saved is dropped without a word. */
  var KEPT_KEY = "swb-kept:" + window.location.pathname + window.location.search;
  var KEPT_DAYS = 7;
  var RECENT_MS = 3000; /* the save delay, plus what the widgets may hold back */

  function fieldLabel(field) {
    var label = field.querySelector(".widget-label");
    return label ? label.textContent.trim() : "";
  }

  function fieldInput(field) {
    return field.querySelector("textarea, input[type='text'], input:not([type])");
  }

  function keepTyping() {
    var now = Date.now();
    var kept = [];
    document.querySelectorAll(".swb-field").forEach(function (field) {
      var input = fieldInput(field);
      var typedAt = Number(field.getAttribute("data-swb-typed-at") || 0);
      var unsaved =
        field.classList.contains("swb-field--unsaved") ||
        field.hasAttribute("data-swb-typed-offline") ||
        now - typedAt < RECENT_MS;
      if (input && input.value && unsaved) {
        kept.push({ label: fieldLabel(field), text: input.value });
      }
    });
    if (kept.length > 0) {
      try {
        window.localStorage.setItem(KEPT_KEY, JSON.stringify({ at: now, fields: kept }));
      } catch (error) {
        /* storage full or disabled: the banner still says what happened */
      }
    }
  }

  document.addEventListener(
    "input",
    function (event) {
      var field = event.target.closest ? event.target.closest(".swb-field") : null;
      if (!field) {
        return;
      }
      field.setAttribute("data-swb-typed-at", String(Date.now()));
      if (shownReason) {
        field.setAttribute("data-swb-typed-offline", "");
        keepTyping();
      }
    },
    true
  );

  function element(tag, className, text) {
    var node = document.createElement(tag);
    node.className = className;
    if (text) {
      node.textContent = text;
    }
    return node;
  }

  function forgetKept() {
    try {
      window.localStorage.removeItem(KEPT_KEY);
    } catch (error) {
      /* nothing to forget */
    }
  }

  /* The kept texts that the page, once drawn, does not already show in a field of that name. */
  function notShown(fields) {
    var shown = {};
    document.querySelectorAll(".swb-field").forEach(function (field) {
      var input = fieldInput(field);
      if (input) {
        (shown[fieldLabel(field)] = shown[fieldLabel(field)] || []).push(input.value);
      }
    });
    return fields.filter(function (entry) {
      return (shown[entry.label] || []).indexOf(String(entry.text)) === -1;
    });
  }

  function showKept(fields) {
    var main = document.getElementById("swb-main");
    if (!main) {
      return;
    }
    var section = element("section", "swb-kept");
    section.setAttribute("aria-labelledby", "swb-kept-title");
    var title = element("h2", "swb-kept__title", "Text kept from your last visit to this page");
    title.id = "swb-kept-title";
    section.appendChild(title);
    section.appendChild(
      element(
        "p",
        "swb-kept__intro",
        "It was typed but may not have been saved. Copy what you need into the fields below, " +
          "then dismiss this."
      )
    );
    fields.forEach(function (entry) {
      var label = element("label", "swb-kept__label", String(entry.label || "A field"));
      var text = element("textarea", "swb-kept__text");
      text.readOnly = true;
      text.value = String(entry.text || "");
      text.rows = Math.min(6, text.value.split("\n").length + 1);
      label.appendChild(text);
      section.appendChild(label);
    });
    var dismiss = element("button", "swb-button", "Dismiss");
    dismiss.type = "button";
    dismiss.addEventListener("click", function () {
      forgetKept();
      section.remove();
    });
    section.appendChild(dismiss);
    main.parentNode.insertBefore(section, main);
  }

  function showKeptTyping() {
    var kept;
    try {
      kept = JSON.parse(window.localStorage.getItem(KEPT_KEY) || "null");
    } catch (error) {
      forgetKept();
      return;
    }
    if (!kept || !Array.isArray(kept.fields) || Date.now() - kept.at > KEPT_DAYS * 86400000) {
      forgetKept();
      return;
    }
    var waited = 0;
    var drawn = -1;
    var timer = window.setInterval(function () {
      waited += 250;
      var count = document.querySelectorAll(".swb-field").length;
      var settled = count > 0 && count === drawn;
      drawn = count;
      if (!settled && waited < 60000) {
        return; /* the form is not (all) drawn yet */
      }
      window.clearInterval(timer);
      var fields = notShown(kept.fields);
      if (fields.length === 0) {
        forgetKept();
      } else {
        window.localStorage.setItem(KEPT_KEY, JSON.stringify({ at: kept.at, fields: fields }));
        showKept(fields);
      }
    }, 250);
  }

  function hide() {
    if (shownReason !== "lost") {
      return; /* a dead or restarted kernel stays reported: its widgets are gone */
    }
    shownReason = null;
    var banner = document.getElementById("swb-connection");
    if (banner) {
      banner.hidden = true;
    }
    document.body.classList.remove("swb-disconnected");
  }

  /* True for a kernel message saying the kernel is going away or restarting: a shutdown reply
     or a restarting/dead status, broadcast on the iopub channel. */
  function isFatal(channel, header, content) {
    if (channel !== "iopub" || !header) {
      return false;
    }
    if (header.msg_type === "shutdown_reply") {
      return true;
    }
    return header.msg_type === "status" && !!content && FATAL_STATES[content.execution_state] === true;
  }

  function isFatalMessage(data) {
    try {
      if (typeof data === "string") {
        var msg = JSON.parse(data);
        return isFatal(msg.channel, msg.header, msg.content);
      }
      if (data instanceof ArrayBuffer && decoder) {
        /* v1.kernel.websocket.jupyter.org: offset count, offsets, then channel, header, parent
           header, metadata, content, buffers. */
        var view = new DataView(data);
        var count = view.getUint32(0, true);
        if (count < 6) {
          return false;
        }
        var offsets = [];
        for (var i = 0; i < count; i++) {
          offsets.push(view.getUint32(8 * (i + 1), true));
        }
        var part = function (n) {
          return decoder.decode(new Uint8Array(data, offsets[n], offsets[n + 1] - offsets[n]));
        };
        var channel = part(0);
        if (channel !== "iopub") {
          return false;
        }
        var header = JSON.parse(part(1));
        if (header.msg_type !== "status" && header.msg_type !== "shutdown_reply") {
          return false;
        }
        return isFatal(channel, header, JSON.parse(part(4)));
      }
    } catch (error) {
      return false;
    }
    return false;
  }

  /* The page's kernel, from the page config Voila writes into the page. */
  function kernelUrl() {
    var node = document.getElementById("jupyter-config-data");
    if (!node) {
      return null;
    }
    try {
      var config = JSON.parse(node.textContent);
      return config.kernelId ? config.baseUrl + "api/kernels/" + config.kernelId : null;
    } catch (error) {
      return null;
    }
  }

  /* Belt and braces for a page left open for hours: ask now and then whether the kernel still
     exists (and at once when the tab becomes visible again, e.g. after the laptop slept). */
  function checkKernel() {
    var url = kernelUrl();
    if (!url || leaving || shownReason === "kernel" || document.visibilityState !== "visible") {
      return;
    }
    fetch(url, { credentials: "same-origin", cache: "no-store" }).then(
      function (response) {
        if (response.status === 404) {
          show("kernel");
        }
      },
      function () {
        /* the server did not answer: the websocket watch reports that */
      }
    );
  }

  function watch(socket) {
    var wasOpen = false;
    socket.addEventListener("open", function () {
      wasOpen = true;
      openSockets += 1;
      if (lostTimer !== null) {
        clearTimeout(lostTimer);
        lostTimer = null;
      }
      hide();
    });
    socket.addEventListener("close", function () {
      if (wasOpen) {
        wasOpen = false;
        openSockets -= 1;
      }
      if (leaving || openSockets > 0 || lostTimer !== null) {
        return;
      }
      lostTimer = setTimeout(function () {
        lostTimer = null;
        if (openSockets === 0) {
          show("lost");
        }
      }, GRACE_MS);
    });
    socket.addEventListener("message", function (event) {
      if (isFatalMessage(event.data)) {
        show("kernel");
      }
    });
  }

  class WatchedWebSocket extends NativeWebSocket {
    constructor(url, protocols) {
      super(url, protocols);
      if (KERNEL_CHANNEL.test(String(url))) {
        watch(this);
      }
    }
  }
  window.WebSocket = WatchedWebSocket;

  window.addEventListener("beforeunload", function () {
    leaving = true;
  });
  window.addEventListener("pagehide", function () {
    leaving = true;
    keepTyping();
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      leaving = false;
    }
  });

  document.addEventListener("visibilitychange", checkKernel);
  window.setInterval(checkKernel, CHECK_EVERY_MS);

  /* Voila moves the cells into a JupyterLab shell it appends to <body>: make that shell the
     page's main landmark, so screen readers (and axe) find the content. */
  function markMainLandmark() {
    var shell = document.querySelector("body > .jp-LabShell");
    if (shell && !shell.hasAttribute("role")) {
      shell.setAttribute("role", "main");
      return true;
    }
    return !!shell;
  }

  /* Icons in buttons are drawn with a font: hide the glyph from screen readers, or a button is
     announced as "\uf067 Add a person". */
  function hideIcons(root) {
    root.querySelectorAll("button > i.fa:not([aria-hidden])").forEach(function (icon) {
      icon.setAttribute("aria-hidden", "true");
    });
  }

  /* A table row's Edit / Close button says whether its row is open: the kernel marks it with
     the class swb-open (widgets cannot set ARIA attributes), this mirrors it for screen readers. */
  function markExpanded(button) {
    var expanded = button.classList.contains("swb-open") ? "true" : "false";
    if (button.getAttribute("aria-expanded") !== expanded) {
      button.setAttribute("aria-expanded", expanded);
    }
  }

  /*
   * Pages start with the work: each page's introduction (the prose under its heading, with the
   * "Talk about" questions) is open on a browser's first visit to that page and folded to one
   * line after it, to be opened on demand. The visit is remembered per browser (localStorage),
   * not per participant in the plan: it is about what this screen has already shown (the shared
   * projector, someone's laptop), it needs no name, costs no write to the plan, and the page is
   * folded before it is first shown. A browser that keeps nothing shows it open every time.
   */
  var VISITED_KEY = "swb-visited:";

  function firstVisit(page) {
    try {
      var seen = window.localStorage.getItem(VISITED_KEY + page) === "1";
      window.localStorage.setItem(VISITED_KEY + page, "1");
      return !seen;
    } catch (error) {
      return true;
    }
  }

  function foldIntroductions() {
    var page = window.location.pathname.split("/").pop() || "index";
    var intros = document.querySelectorAll("#rendered_cells .jp-MarkdownCell .jp-RenderedMarkdown");
    if (!intros.length) {
      return;
    }
    var open = firstVisit(page);
    intros.forEach(function (intro) {
      if (intro.querySelector(".swb-intro")) {
        return;
      }
      var heading = intro.querySelector("h1, h2");
      var start = heading ? heading.nextSibling : intro.firstChild;
      var body = element("div", "swb-intro__body");
      while (start) {
        var next = start.nextSibling;
        body.appendChild(start);
        start = next;
      }
      if (!body.textContent.trim()) {
        return;
      }
      var details = element("details", "swb-intro");
      var summary = element("summary", "swb-intro__summary", "About this step, and what to talk about");
      details.appendChild(summary);
      details.appendChild(body);
      details.open = open;
      intro.appendChild(details);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    foldIntroductions();
    showKeptTyping();
    hideIcons(document);
    new MutationObserver(function (records) {
      var added = false;
      records.forEach(function (record) {
        if (record.type === "childList") {
          added = true;
        } else if (record.target.matches("button.swb-edit")) {
          markExpanded(record.target);
        }
      });
      if (added) {
        hideIcons(document);
        document.querySelectorAll("button.swb-edit").forEach(markExpanded);
      }
    }).observe(document.body, {
      childList: true,
      subtree: true,
      attributes: true,
      attributeFilter: ["class"],
    });
    if (!markMainLandmark()) {
      var observer = new MutationObserver(function () {
        if (markMainLandmark()) {
          observer.disconnect();
        }
      });
      observer.observe(document.body, { childList: true });
    }
    var button = document.getElementById("swb-reload");
    if (button) {
      button.addEventListener("click", function () {
        window.location.reload();
      });
    }
  });

  /* For tests and curious visitors: what the banner currently reports. */
  window.sigworkbookConnection = function () {
    return { openSockets: openSockets, shown: shownReason };
  };
})();
