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
      if (!isDateInput(event.target)) {
        showTypingUnsaved(); /* a date box says so itself once its date is final */
      }
      if (shownReason) {
        field.setAttribute("data-swb-typed-offline", "");
        keepTyping();
      }
    },
    true
  );

  /* From the first keystroke the header stops saying "saved": until the kernel has the text
     and has saved it (it then redraws the header, "Saving…" and "Saved at 14:05"), what was
     typed may exist only in this browser. */
  function showTypingUnsaved() {
    document.querySelectorAll(".swb-statusbar .swb-saved").forEach(function (status) {
      var text = status.textContent;
      if (/^(All changes saved|Saved at)/.test(text) && !/except/.test(text)) {
        status.textContent = "Saving…";
      }
    });
  }

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

  /* Put a kept text into the field of that name, as if typed there; false when no such
     field is on the page (a folded row, say). */
  function putTextBack(entry) {
    var fields = document.querySelectorAll(".swb-field");
    for (var i = 0; i < fields.length; i += 1) {
      var input = fieldInput(fields[i]);
      if (input && !input.disabled && fieldLabel(fields[i]) === String(entry.label)) {
        input.focus();
        input.value = String(entry.text || "");
        input.dispatchEvent(new Event("input", { bubbles: true }));
        input.dispatchEvent(new Event("change", { bubbles: true }));
        return true;
      }
    }
    return false;
  }

  /* Date and date-time boxes: a value no calendar has (a six-figure year, a date typed only in
     part) is stopped here, before the widgets would send it (as nothing, or not at all). It is
     refused next to the field, the saved date stays as it was, and the header says "Not saved"
     until the date is put right. */
  var refusedDates = [];

  /* The years a date may fall in, as the plan model says: the kernel gives each date box the
     class swb-years-FIRST-LAST. */
  function yearRange(input) {
    var widget = input.closest("[class*='swb-years-']");
    var found = widget ? /(?:^|\s)swb-years-(\d+)-(\d+)(?:\s|$)/.exec(widget.className) : null;
    return found ? [Number(found[1]), Number(found[2])] : null;
  }

  function isDateInput(node) {
    return (
      node && node.matches && node.matches("input[type='date'], input[type='datetime-local']")
    );
  }

  function dateProblem(input) {
    if (input.validity && input.validity.badInput) {
      return "the date is not complete: type the day, the month and the year";
    }
    if (!input.value) {
      return "";
    }
    var year = input.value.split("-")[0];
    var number = Number(year);
    var range = yearRange(input);
    if (!/^[0-9]{4}$/.test(year) || (range && (number < range[0] || number > range[1]))) {
      return (
        "the year " + String(number) + " cannot be right: type a year of four figures" +
        (range ? " between " + range[0] + " and " + range[1] : "")
      );
    }
    return "";
  }

  function showDateProblem(input, message) {
    var widget = input.closest(".widget-datepicker, .widget-datetimepicker") || input;
    var holder = widget.parentNode;
    var note = holder ? holder.querySelector(".swb-date-error") : null;
    if (!message) {
      if (note) {
        note.remove();
      }
      input.removeAttribute("aria-invalid");
      return;
    }
    if (!note) {
      note = element("div", "swb-error swb-date-error");
      note.setAttribute("role", "alert");
      widget.insertAdjacentElement("afterend", note);
    }
    note.textContent = message;
    input.setAttribute("aria-invalid", "true");
  }

  function showDateStatus() {
    refusedDates = refusedDates.filter(function (entry) {
      return document.body.contains(entry.input);
    });
    document.querySelectorAll(".swb-statusbar .swb-saved").forEach(function (status) {
      var own = status.getAttribute("data-swb-refused");
      if (refusedDates.length === 0) {
        if (own !== null && status.textContent === own) {
          status.textContent = status.getAttribute("data-swb-kernel-text") || "";
          status.className = status.getAttribute("data-swb-kernel-class") || status.className;
        }
        status.removeAttribute("data-swb-refused");
        return;
      }
      var text = "Not saved: " + refusedDates[0].message;
      if (status.textContent !== text) {
        if (own === null) {
          status.setAttribute("data-swb-kernel-text", status.textContent);
          status.setAttribute("data-swb-kernel-class", status.className);
        }
        status.textContent = text;
        status.classList.add("swb-saved--error");
        status.setAttribute("data-swb-refused", text);
      }
    });
  }

  /* A date box changes at every figure typed (2, 20, 202, 2025, 20251, ...): its value goes to
     the widgets only once typing has paused (or the box is left), and never while it is wrong. */
  var DATE_SETTLE_MS = 800;

  function forwardDate(input) {
    window.clearTimeout(input.swbTimer);
    if (!input.swbPending || dateProblem(input)) {
      return;
    }
    input.swbPending = false;
    input.swbForwarding = true;
    try {
      input.dispatchEvent(new Event("change", { bubbles: true }));
    } finally {
      input.swbForwarding = false;
    }
  }

  function checkDate(event) {
    var input = event.target;
    if (!isDateInput(input) || input.swbForwarding) {
      return;
    }
    var problem = dateProblem(input);
    var field = input.closest(".swb-field");
    var message = problem ? (fieldLabel(field || input) || "Date") + ": " + problem : "";
    refusedDates = refusedDates.filter(function (entry) {
      return entry.input !== input;
    });
    if (problem) {
      refusedDates.push({ input: input, message: message });
    }
    showDateProblem(input, message);
    showDateStatus();
    if (problem) {
      event.stopPropagation(); /* the widget never sees it: the saved date stays */
      window.clearTimeout(input.swbTimer);
      input.swbPending = false;
      return;
    }
    if (event.type === "focusout") {
      forwardDate(input);
      return;
    }
    event.stopPropagation();
    input.swbPending = true;
    window.clearTimeout(input.swbTimer);
    input.swbTimer = window.setTimeout(function () {
      forwardDate(input);
    }, DATE_SETTLE_MS);
  }

  document.addEventListener("change", checkDate, true);
  document.addEventListener("focusout", checkDate, true);

  /* Uploads: a file larger than a page may send its kernel (the server's message limit) would
     close the page's connection without a word, and a list over its own limit is refused
     anyway. The kernel gives each upload button the class swb-upload-max-BYTES; a larger file
     is refused here, under the button, before the widget reads or sends any of it. The
     widget's file input is not in the page: it is marked when the button opens it. */
  var uploadButton = null;

  function uploadLimit(button) {
    var found = /(?:^|\s)swb-upload-max-(\d+)(?:\s|$)/.exec(button.className);
    return found ? Number(found[1]) : null;
  }

  function megabytes(bytes) {
    return String(Math.floor(bytes / 100000) / 10) + " MB";
  }

  function showUploadProblem(button, message) {
    var row = button.parentNode || button;
    var note = row.nextElementSibling;
    if (!note || !note.classList.contains("swb-upload-error")) {
      note = null;
    }
    if (!message) {
      if (note) {
        note.remove();
      }
      return;
    }
    if (!note) {
      note = element("div", "swb-error swb-upload-error");
      note.setAttribute("role", "alert");
      row.insertAdjacentElement("afterend", note);
    }
    note.textContent = message;
  }

  function checkUpload(event) {
    var input = event.target;
    var button = input.swbUploadButton;
    var limit = button ? uploadLimit(button) : null;
    if (!limit) {
      return;
    }
    var files = Array.prototype.slice.call(input.files || []);
    var size = files.reduce(function (total, file) {
      return total + file.size;
    }, 0);
    if (size <= limit) {
      showUploadProblem(button, "");
      return;
    }
    event.stopImmediatePropagation(); /* before the widget's own listener reads the file */
    input.value = "";
    var field = (button.textContent || "").replace(/\s*\(\d+\)\s*$/, "").trim();
    var names = files.map(function (file) {
      return file.name;
    });
    showUploadProblem(
      button,
      field + ": " + names.join(", ") + " is " + megabytes(size) + "; at most " +
        megabytes(limit) + ". Nothing was sent: choose a smaller file."
    );
  }

  document.addEventListener(
    "click",
    function (event) {
      var target = event.target;
      var button = target && target.closest ? target.closest(".widget-upload") : null;
      if (button) {
        uploadButton = button;
      }
    },
    true
  );

  var nativeClick = HTMLElement.prototype.click;
  HTMLElement.prototype.click = function () {
    if (this instanceof HTMLInputElement && this.type === "file" && uploadButton) {
      this.swbUploadButton = uploadButton;
      if (!this.swbUploadChecked) {
        this.swbUploadChecked = true;
        /* A listener for the capture phase on the input itself runs before the widget's. */
        this.addEventListener("change", checkUpload, true);
      }
    }
    return nativeClick.apply(this, arguments);
  };

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
        "It was typed but may not have been saved. Put each text back into its field with " +
          "its button (it is then saved as if typed), or dismiss this."
      )
    );
    var left = fields.slice();
    fields.forEach(function (entry) {
      var box = element("div", "swb-kept__entry");
      var label = element("label", "swb-kept__label", String(entry.label || "A field"));
      var text = element("textarea", "swb-kept__text");
      text.readOnly = true;
      text.value = String(entry.text || "");
      text.rows = Math.min(6, text.value.split("\n").length + 1);
      label.appendChild(text);
      box.appendChild(label);
      var putBack = element("button", "swb-button", "Put it back");
      putBack.type = "button";
      putBack.addEventListener("click", function () {
        if (!putTextBack(entry)) {
          putBack.textContent = "That field is not on the page now: copy the text instead";
          putBack.disabled = true;
          return;
        }
        left = left.filter(function (other) {
          return other !== entry;
        });
        box.remove();
        if (left.length === 0) {
          forgetKept();
          section.remove();
        } else {
          try {
            window.localStorage.setItem(KEPT_KEY, JSON.stringify({ at: Date.now(), fields: left }));
          } catch (error) {
            /* the banner still shows what is left */
          }
        }
      });
      box.appendChild(putBack);
      section.appendChild(box);
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

  var keptLooked = false; /* whether the page has compared the kept texts with its fields */

  function showKeptTyping() {
    var kept;
    try {
      kept = JSON.parse(window.localStorage.getItem(KEPT_KEY) || "null");
    } catch (error) {
      kept = null;
    }
    if (!kept || !Array.isArray(kept.fields) || Date.now() - kept.at > KEPT_DAYS * 86400000) {
      forgetKept();
      keptLooked = true;
      return;
    }
    var waited = 0;
    var drawn = -1;
    var timer = window.setInterval(function () {
      waited += 250;
      var count = document.querySelectorAll(".swb-field").length;
      /* Drawn when the count of fields holds for a moment and no card still waits for the
         parts below its fold (ui/later.py: they come once the page is on screen). */
      var settled = count > 0 && count === drawn && !document.querySelector(".swb-later");
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
      keptLooked = true;
    }, 250);
  }

  /* For tests: whether the page has looked for text kept from the last visit. */
  window.sigworkbookKeptLooked = function () {
    return keptLooked;
  };

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

  var appVisits = {};

  function foldIntroductions() {
    var page = window.location.pathname.split("/").pop() || "index";
    var intros = document.querySelectorAll(
      "#rendered_cells .jp-MarkdownCell .jp-RenderedMarkdown, .swb-app-markdown"
    );
    if (!intros.length) {
      return;
    }
    var open = null;
    intros.forEach(function (intro) {
      if (intro.querySelector(".swb-intro") || intro.getAttribute("data-swb-folded")) {
        return;
      }
      /* In the app each step's prose counts as a visit to that step's own page. */
      var own = intro.getAttribute("data-swb-page");
      var opened;
      if (own) {
        if (!(own in appVisits)) {
          appVisits[own] = firstVisit(own);
        }
        opened = appVisits[own];
      } else {
        if (open === null) {
          open = firstVisit(page);
        }
        opened = open;
      }
      intro.setAttribute("data-swb-folded", "1");
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
      var title =
        intro.getAttribute("data-swb-intro") ||
        document.body.getAttribute("data-swb-intro") ||
        "About this step, and what to talk about";
      var summary = element("summary", "swb-intro__summary", title);
      details.appendChild(summary);
      details.appendChild(body);
      details.open = opened;
      intro.appendChild(details);
    });
  }

  /* The tab's title follows the page header: "Charter · Northshire Frailty Network", renamed
     with the SIG (the kernel redraws the header on every change). */
  function followTitle() {
    /* On the app page every step built so far has its header: the one on screen counts. */
    var headers = Array.prototype.slice.call(
      document.querySelectorAll(".swb-header[data-swb-title]")
    );
    var header =
      headers.filter(function (each) {
        return each.offsetParent !== null;
      })[0] || headers[0];
    var title = header ? header.getAttribute("data-swb-title") : "";
    if (title && document.title !== title) {
      document.title = title;
    }
  }

  /* A name before editing: the name a visitor gave is kept by this browser (localStorage) and
     in the page's address (who=, so a reload keeps it); a page opened without one is given it
     in its "Your name" box, so nobody edits as nobody. */
  var NAME_KEY = "swb-name";
  var nameGiven = false;

  function rememberName() {
    var who = document.querySelector(".swb-who[data-swb-who]");
    var name = who ? who.getAttribute("data-swb-who") : "";
    if (!name) {
      return;
    }
    try {
      window.localStorage.setItem(NAME_KEY, name);
    } catch (error) {
      /* private browsing: the address still keeps it */
    }
    var url = new URL(window.location.href);
    if (url.searchParams.get("who") !== name) {
      url.searchParams.set("who", name);
      window.history.replaceState(window.history.state, "", url.toString());
    }
  }

  function giveRememberedName() {
    var prompt = document.querySelector(".swb-name-prompt");
    if (nameGiven || !prompt || prompt.offsetParent === null) {
      return;
    }
    var name = null;
    try {
      name = window.localStorage.getItem(NAME_KEY);
    } catch (error) {
      return;
    }
    var input = prompt.querySelector(".swb-name-input input");
    var button = prompt.querySelector("button.swb-name-save");
    if (!name || !input || !button || input.value) {
      return;
    }
    nameGiven = true;
    input.value = name;
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.dispatchEvent(new Event("change", { bubbles: true }));
    button.click();
  }

  /* What follows nodes the kernel's widgets added: once a frame, not once for every batch of
     them (a page draws a few hundred widget views, a batch at a time, and followTitle and
     giveRememberedName read the layout: each read after a batch made the browser lay the page
     out again). A page in a background tab draws no frames: the timer does it there. */
  var nodesAddedPending = false;

  function afterNodesAdded() {
    if (nodesAddedPending) {
      return;
    }
    nodesAddedPending = true;
    var run = function () {
      if (!nodesAddedPending) {
        return;
      }
      nodesAddedPending = false;
      followAppLocation();
      foldIntroductions(); /* a step the app has just built */
      if (refusedDates.length) {
        showDateStatus(); /* the kernel redrew the header: it still may not say "saved" */
      }
      hideIcons(document);
      document.querySelectorAll("button.swb-edit").forEach(markExpanded);
      followTitle();
      rememberName();
      giveRememberedName();
      followSound();
    };
    window.requestAnimationFrame(run);
    window.setTimeout(run, 250);
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
        afterNodesAdded();
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

  /* "Print or save as PDF" on the review page: the kernel cannot open the browser's print
     dialog, so a plain button marked data-swb-action="print" does it here. Nothing else runs. */
  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("[data-swb-action='print']") : null;
    if (target) {
      event.preventDefault();
      window.print();
    }
  });

  /*
   * The app page (workbooks/app.ipynb): every step in one page and one kernel. A link to a
   * step of the same SIG (the step bar, "Next": the app's address with ?step=, or a step
   * notebook's name in pages from before the app) switches the step in place: the script writes
   * the step into the app's hidden box, the kernel shows it and says which step shows (an
   * element of class swb-app-location), and the script puts that step into the address bar
   * (Back and Forward move between steps); the tab's title follows the header on screen
   * (followTitle). A link to another SIG opens
   * the app afresh for that SIG.
   */
  var appAsked = 0; /* the number of the latest step asked of the kernel */
  var appAskedByHistory = -1; /* the number of the latest one asked by Back or Forward */
  var appShown = null; /* the built step shown at once for the latest request, if any */
  var appScrolled = -1; /* the number of the latest request already scrolled to the top for */

  function appLocation() {
    return document.querySelector(".swb-app .swb-app-location");
  }

  function appSteps(location) {
    var steps = {};
    (location.getAttribute("data-steps") || "").split(",").forEach(function (pair) {
      var parts = pair.split("=");
      if (parts.length === 2) {
        steps[parts[0]] = parts[1];
      }
    });
    return steps;
  }

  function appStepKeys(location) {
    var keys = {};
    var steps = appSteps(location);
    Object.keys(steps).forEach(function (notebook) {
      keys[steps[notebook]] = true;
    });
    return keys;
  }

  /* A step already built is shown at once, without waiting for the kernel (which may be busy
     building another step ahead): the kernel's answer then shows the same step. A step not
     built yet waits for the kernel to build it. */
  function showBuiltStep(key) {
    var target = document.querySelector(".swb-app .swb-app-step--" + key);
    if (!target || !target.firstElementChild) {
      return false;
    }
    document.querySelectorAll(".swb-app .swb-app-step").forEach(function (area) {
      area.style.display = area === target ? "" : "none";
    });
    return true;
  }

  function askAppStep(key) {
    var input = document.querySelector(".swb-app-nav input");
    if (!input) {
      return false;
    }
    appShown = showBuiltStep(key) ? key : null;
    appAsked += 1;
    input.value = key + "#" + appAsked;
    input.dispatchEvent(new Event("input", { bubbles: true }));
    return true;
  }

  function appAddress(query) {
    var url = new URL(window.location.href);
    new URLSearchParams(query).forEach(function (value, name) {
      url.searchParams.set(name, value);
    });
    return url;
  }

  document.addEventListener(
    "click",
    function (event) {
      var link = event.target.closest ? event.target.closest(".swb-app a[href]") : null;
      var location = appLocation();
      if (!link || !location || event.defaultPrevented || event.button !== 0) {
        return;
      }
      if (event.ctrlKey || event.metaKey || event.shiftKey || link.target === "_blank") {
        return; /* a new tab or window: the link's own address */
      }
      var url = new URL(link.getAttribute("href"), window.location.href);
      var key =
        url.pathname === window.location.pathname
          ? url.searchParams.get("step")
          : appSteps(location)[url.pathname.split("/").pop()];
      if (!key || !(key in appStepKeys(location))) {
        return;
      }
      event.preventDefault();
      var sig = url.searchParams.get("sig") || "";
      if (sig && sig !== location.getAttribute("data-sig")) {
        var other = { sig: sig, step: key };
        if (url.searchParams.get("who")) {
          other.who = url.searchParams.get("who");
        }
        window.location.assign(appAddress(other).toString());
        return;
      }
      if (askAppStep(key) && appShown) {
        window.scrollTo(0, 0);
        appScrolled = appAsked;
      }
    },
    true
  );

  window.addEventListener("popstate", function () {
    var key = new URL(window.location.href).searchParams.get("step") || "start";
    if (appLocation() && askAppStep(key)) {
      appAskedByHistory = appAsked;
    }
  });

  /* Once the page is on screen and the browser idle, tell the kernel: it then builds the
     steps not opened yet in its idle moments (ui/app.py, build_ahead), so that moving to
     them later is only a switch. Told once per page. */
  var appReadyTold = false;
  function tellAppReady() {
    var input = document.querySelector(".swb-app-nav input");
    if (appReadyTold || !input) {
      return;
    }
    appReadyTold = true;
    var tell = function () {
      input.value = "ready";
      input.dispatchEvent(new Event("input", { bubbles: true }));
    };
    if (window.requestIdleCallback) {
      window.requestIdleCallback(tell, { timeout: 3000 });
    } else {
      window.setTimeout(tell, 1000);
    }
  }

  function followAppLocation() {
    var location = appLocation();
    if (!location) {
      return;
    }
    tellAppReady();
    var answered = Number(location.getAttribute("data-asked") || "0");
    if (answered < appAsked) {
      if (appShown) {
        showBuiltStep(appShown); /* the older answer showed its step: keep the newest shown */
      }
      return; /* an answer to an older request: a newer one is on its way */
    }
    var key = location.getAttribute("data-step");
    var current = new URL(window.location.href);
    var wanted = appAddress(location.getAttribute("data-query") || "");
    if (wanted.toString() === current.toString()) {
      return;
    }
    if (answered === appAskedByHistory || !current.searchParams.get("step")) {
      window.history.replaceState({ step: key }, "", wanted.toString());
    } else {
      window.history.pushState({ step: key }, "", wanted.toString());
      if (answered !== appScrolled) {
        window.scrollTo(0, 0);
      }
    }
  }

  /* ---- Writing together (issue 19) -----------------------------------------------------
   * Several people type in one text field: the kernel merges their words into each box
   * (live/merging.py), and the merging box keeps its typist's keys and caret
   * (ui/merging_box.js). Here: other inputs do not lose keys in flight when the kernel's text
   * arrives, and leaving the page with typing not saved yet (or a field waiting for a
   * choice) asks first. */

  /* Text from the kernel waits while its box is being typed in: keys typed just before it
     arrived are still on their way to the kernel, and putting its text in now would drop
     them from the box. The kernel merges those keys into what it sends next; the box takes
     the kernel's latest text once the typing pauses (QUIET_MS without a key). */
  var QUIET_MS = 700;
  var lastKey = new WeakMap();
  var waiting = new WeakMap();
  document.addEventListener(
    "input",
    function (event) {
      var target = event.target;
      if (event.isTrusted && target && target.closest && target.closest(".swb-field")) {
        lastKey.set(target, Date.now());
      }
    },
    true
  );

  function typedLately(input) {
    var at = lastKey.get(input);
    return at !== undefined && Date.now() - at < QUIET_MS;
  }

  function showWhenQuiet(input) {
    var at = lastKey.get(input) || 0;
    window.setTimeout(function () {
      if (!waiting.has(input)) {
        return;
      }
      if (typedLately(input)) {
        showWhenQuiet(input);
        return;
      }
      var text = waiting.get(input);
      waiting.delete(input);
      input.value = text;
    }, Math.max(QUIET_MS - (Date.now() - at), 0) + 20);
  }

  function keepCaretOn(proto) {
    var native = Object.getOwnPropertyDescriptor(proto, "value");
    if (!native || !native.set || !native.get) {
      return;
    }
    Object.defineProperty(proto, "value", {
      configurable: true,
      enumerable: native.enumerable,
      get: function () {
        return native.get.call(this);
      },
      set: function (text) {
        var old = native.get.call(this);
        var typing =
          this === document.activeElement &&
          old !== String(text) &&
          this.closest &&
          this.closest(".swb-field") &&
          !this.closest(".swb-merging") /* merging_box.js keeps its own typing */ &&
          typeof this.selectionStart === "number";
        if (typing && typedLately(this)) {
          var first = !waiting.has(this);
          waiting.set(this, text);
          if (first) {
            showWhenQuiet(this);
          }
          return;
        }
        waiting.delete(this);
        if (!typing) {
          native.set.call(this, text);
          return;
        }
        var start = this.selectionStart;
        var end = this.selectionEnd;
        var direction = this.selectionDirection || "none";
        native.set.call(this, text);
        var now = native.get.call(this);
        try {
          /* merging boxes keep the caret on the person's words (merging_box.js); here
             the text was replaced: the caret stays where it was, inside the new text */
          this.setSelectionRange(
            Math.min(start, now.length),
            Math.min(end, now.length),
            direction
          );
        } catch (error) {
          /* an input without a caret (a date, a number): nothing to keep */
        }
      },
    });
  }
  keepCaretOn(window.HTMLTextAreaElement.prototype);
  keepCaretOn(window.HTMLInputElement.prototype);

  /* Leaving with words typed and not saved yet asks first (the browser's own prompt). */
  window.addEventListener("beforeunload", function (event) {
    if (shownReason || !document.querySelector(".swb-field--unsaved, .swb-conflict")) {
      return undefined; /* nothing unsaved, or the page lost its kernel: kept by keepTyping */
    }
    event.preventDefault();
    event.returnValue = "";
    return "";
  });

  /* ---- end of writing together --------------------------------------------------------- */

  /* ---- The sound at zero (issue 21) ---------------------------------------------------
   * The lead's meeting bar has a "Sound at zero" box (the kernel shows it to the lead only),
   * off unless this browser remembers it on. When the lead's clock reaches zero the kernel
   * sends the lead's page a chime (an element .swb-chime whose number goes up) and the page
   * plays a short tone with the Web Audio API, once, if the box is ticked. A browser lets a
   * page make sound only after a click on it: ticking the box is that click (after a reload,
   * the lead's next click anywhere on the page). */
  var SOUND_KEY = "swb-sound-at-zero";
  var chimesHeard = 0;
  var audio = null;
  var soundChosen = false; /* this page's choice, where the browser keeps no storage */

  function soundWanted() {
    try {
      return window.localStorage.getItem(SOUND_KEY) === "1";
    } catch (error) {
      return soundChosen;
    }
  }

  function soundReady() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) {
      return null;
    }
    if (!audio) {
      audio = new Context();
    }
    if (audio.state === "suspended") {
      audio.resume();
    }
    return audio;
  }

  function playTone() {
    var context = soundReady();
    if (!context) {
      return;
    }
    [880, 660].forEach(function (pitch, index) {
      var start = context.currentTime + index * 0.25;
      var tone = context.createOscillator();
      var volume = context.createGain();
      tone.type = "sine";
      tone.frequency.value = pitch;
      volume.gain.setValueAtTime(0.0001, start);
      volume.gain.exponentialRampToValueAtTime(0.3, start + 0.02);
      volume.gain.exponentialRampToValueAtTime(0.0001, start + 0.4);
      tone.connect(volume);
      volume.connect(context.destination);
      tone.start(start);
      tone.stop(start + 0.45);
    });
  }

  function followSound() {
    document.querySelectorAll("input.swb-sound-at-zero").forEach(function (box) {
      if (!box.swbShown) {
        box.swbShown = true;
        box.checked = soundWanted();
      }
    });
    var chime = document.querySelector(".swb-chime[data-swb-chime]");
    var number = chime ? Number(chime.getAttribute("data-swb-chime")) : 0;
    if (number > chimesHeard) {
      chimesHeard = number;
      if (soundWanted()) {
        playTone();
      }
    }
  }

  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box || !box.matches || !box.matches("input.swb-sound-at-zero")) {
      return;
    }
    soundChosen = box.checked;
    try {
      window.localStorage.setItem(SOUND_KEY, box.checked ? "1" : "0");
    } catch (error) {
      /* no storage (a private window, say): this page's choice only */
    }
    if (box.checked) {
      soundReady(); /* within the click: the page may make sound from now on */
    }
  });

  document.addEventListener(
    "click",
    function () {
      if (audio === null && soundWanted() && document.querySelector("input.swb-sound-at-zero")) {
        soundReady();
      }
    },
    true
  );

  /* ---- The widgets' state, asked for again when the answer is late --------------------
   * Once connected, the widget manager asks the kernel for every widget's state and gives it
   * 4 s (ipywidgets' CONTROL_COMM_TIMEOUT). A later answer is thrown away, and the manager
   * falls back to how kernels before ipywidgets 7.7 were asked (which widgets exist, then each
   * one's state), which never completes here: the page said "Loading widget..." for good. A
   * kernel busy for 4 s (a loaded machine, a step being built) is no reason to give up: ask
   * again the same way, until the answer comes. The server keeps what the kernel says of its
   * widgets from the page while a request is unanswered (sigworkbook/app/state_gate.py). */
  var stateRetries = 0;
  var LATE_MS = 3900; /* an attempt given up after this long timed out (4 s) */

  function askAgainWhenLate() {
    var app = window.jupyterapp;
    var manager = app && app.widgetManager;
    if (!manager) {
      return false;
    }
    var load = manager._loadFromKernel;
    var oldWay = manager._loadFromKernelModels;
    if (typeof load !== "function" || typeof oldWay !== "function") {
      return true;
    }
    var askedAt = 0; /* the first attempt started before this script could see it */
    manager._loadFromKernel = function () {
      askedAt = performance.now();
      return load.apply(manager, arguments);
    };
    manager._loadFromKernelModels = function () {
      if (performance.now() - askedAt < LATE_MS) {
        /* Not late: the kernel closed the control comm at once, so it has no ipywidgets 8
           (an empty notebook's kernel, say): the old way is the right one there. */
        return oldWay.apply(manager, arguments);
      }
      stateRetries += 1;
      return manager._loadFromKernel();
    };
    return true;
  }

  var managerLooks = 0; /* a page without widgets never gets a manager: stop after 2 min */
  var managerWatch = window.setInterval(function () {
    managerLooks += 1;
    if (askAgainWhenLate() || managerLooks >= 2400) {
      window.clearInterval(managerWatch);
    }
  }, 50);

  /* For tests: how often the page asked again for the widgets' state. */
  window.sigworkbookStateRetries = function () {
    return stateRetries;
  };

  /* For tests and curious visitors: what the banner currently reports. */
  window.sigworkbookConnection = function () {
    return { openSockets: openSockets, shown: shownReason };
  };
})();
