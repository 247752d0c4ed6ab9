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
  var KERNEL_CHANNEL = /\/api\/kernels\/[^/?]+\/channels/;
  var FATAL_STATES = { restarting: true, autorestarting: true, dead: true };
  var MESSAGES = {
    lost: "This page can no longer reach the workbook server.",
    kernel: "The workbook server restarted this page's session.",
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

  /* The execution state of a kernel status message, or null for any other message. */
  function statusOf(data) {
    try {
      if (typeof data === "string") {
        var msg = JSON.parse(data);
        return msg.header && msg.header.msg_type === "status" ? msg.content.execution_state : null;
      }
      if (data instanceof ArrayBuffer && decoder) {
        /* v1.kernel.websocket.jupyter.org: offset count, offsets, then channel, header, parent
           header, metadata, content, buffers. */
        var view = new DataView(data);
        var count = view.getUint32(0, true);
        if (count < 6) {
          return null;
        }
        var offsets = [];
        for (var i = 0; i < count; i++) {
          offsets.push(view.getUint32(8 * (i + 1), true));
        }
        var part = function (n) {
          return decoder.decode(new Uint8Array(data, offsets[n], offsets[n + 1] - offsets[n]));
        };
        if (part(0) !== "iopub" || JSON.parse(part(1)).msg_type !== "status") {
          return null;
        }
        return JSON.parse(part(4)).execution_state;
      }
    } catch (error) {
      return null;
    }
    return null;
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
      var state = statusOf(event.data);
      if (state && FATAL_STATES[state]) {
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
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      leaving = false;
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
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
