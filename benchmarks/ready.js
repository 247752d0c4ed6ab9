/*
 * Benchmark probe, injected before any page script: records when a Voila page is "ready".
 *
 * Ready means, all at once:
 *   1. the page is rendered: Voila removed its loading indicator and shows #rendered_cells;
 *   2. the kernel is idle: the page's kernel websocket is open, the kernel has answered the
 *      page's kernel_info request and the widget manager's request for the widgets' state
 *      (ipywidgets 8 asks with `request_states` on its control comm and gets `update_states`;
 *      without ipywidgets in the kernel it falls back to comm_info), and every message the page
 *      sent on the shell channel has been followed by the kernel's `idle` status for it (no
 *      request of the page is still being worked on);
 *   3. every widget output of the page is on screen: no output is still waiting to be rendered,
 *      and no widget renderer still says "Loading widget..." (Voila removes an output's script
 *      as soon as it hands it to a renderer, which then waits for the widget's model and view);
 *   4. if the page has form controls inside widgets (input, textarea, select) on screen, one of
 *      them is enabled, i.e. ready for input (not necessarily the first: a hosted start page
 *      keeps its "Your name" input disabled for good, the name comes from the login; hidden
 *      ones, such as the app page's step switch and its hidden steps, do not count).
 * window.__benchReady holds performance.now() (ms since navigation started) at the first moment
 * all four held, or null. The empty notebook has no widget: 3 and 4 hold at once for it.
 * window.__benchErrors() lists what the page shows instead of a widget or a cell's output
 * (a widget that failed to display, a cell error notice), so a broken page is never timed.
 */
(function () {
  "use strict";
  var NativeWebSocket = window.WebSocket;
  var KERNEL_CHANNEL = /\/api\/kernels\/[^/?]+\/channels/;
  var WIDGET_MIME = "application/vnd.jupyter.widget-view+json";
  var CONTROL = ".jupyter-widgets input, .jupyter-widgets textarea, .jupyter-widgets select";
  var decoder = new TextDecoder();
  var pending = {}; /* msg_id -> true, for shell messages the kernel has not finished */
  var pendingCount = 0;
  var opened = false;
  var kernelInfo = false;
  var widgetState = false;
  var lastState = null;

  window.__benchReady = null;
  window.__benchKernel = { sent: 0, replies: 0, state: null, pending: 0 };

  /* Split a message into {channel, header, parent_header} from either wire format. */
  function parse(data) {
    try {
      if (typeof data === "string") {
        return JSON.parse(data);
      }
      var buffer = data instanceof ArrayBuffer ? data : data.buffer;
      if (!(buffer instanceof ArrayBuffer)) {
        return null;
      }
      /* v1.kernel.websocket.jupyter.org: count, offsets (64-bit little-endian), channel, header,
         parent header, metadata, content, buffers. */
      var view = new DataView(buffer);
      var count = view.getUint32(0, true);
      if (count < 4) {
        return null;
      }
      var offsets = [];
      for (var i = 0; i < count; i++) {
        offsets.push(view.getUint32(8 * (i + 1), true));
      }
      var part = function (n) {
        var end = n + 1 < count ? offsets[n + 1] : buffer.byteLength;
        return decoder.decode(new Uint8Array(buffer, offsets[n], end - offsets[n]));
      };
      var message = {
        channel: part(0),
        header: JSON.parse(part(1)),
        parent_header: JSON.parse(part(2)),
      };
      var type = message.header.msg_type;
      if ((type === "status" || type === "comm_msg") && count > 4) {
        message.content = JSON.parse(part(4));
      }
      return message;
    } catch (error) {
      return null;
    }
  }

  function rendered() {
    if (document.getElementById("loading")) {
      return false;
    }
    var cells = document.getElementById("rendered_cells");
    return !!cells && cells.style.display !== "none";
  }

  /* Output renderers that hold only text: a widget renderer says "Loading widget..." until its
     view is on screen, or "Error ..." when it cannot show the widget. */
  function rendererTexts() {
    var texts = [];
    var outputs = document.querySelectorAll("#rendered_cells .jp-OutputArea-output");
    for (var i = 0; i < outputs.length; i++) {
      if (outputs[i].childElementCount === 0) {
        texts.push(outputs[i].textContent || "");
      }
    }
    return texts;
  }

  function widgetsShown() {
    var scripts = document.querySelectorAll('script[type="application/vnd.voila.cell-output+json"]');
    for (var i = 0; i < scripts.length; i++) {
      if (scripts[i].textContent.indexOf(WIDGET_MIME) !== -1) {
        return false;
      }
    }
    return !rendererTexts().some(function (text) {
      return text.indexOf("Loading widget") === 0;
    });
  }

  window.__benchErrors = function () {
    var found = rendererTexts().filter(function (text) {
      return /^Error (displaying|creating) widget/.test(text);
    });
    document.querySelectorAll(".swb-cell-error").forEach(function (notice) {
      found.push(notice.textContent.trim());
    });
    return found;
  };

  function controlReady() {
    /* Controls on screen only: the app page holds a hidden box (its step switch) and hidden
       steps, which are not what a person waits for. */
    var controls = Array.prototype.filter.call(document.querySelectorAll(CONTROL), function (c) {
      return c.getClientRects().length > 0;
    });
    if (controls.length === 0) {
      return true;
    }
    for (var i = 0; i < controls.length; i++) {
      if (!controls[i].disabled) {
        return true;
      }
    }
    return false;
  }

  function check() {
    if (window.__benchReady !== null) {
      return;
    }
    if (!(opened && kernelInfo && widgetState && pendingCount === 0 && lastState === "idle")) {
      return;
    }
    if (rendered() && widgetsShown() && controlReady()) {
      window.__benchReady = performance.now();
    }
  }

  /* Which conditions hold now: for the error message when a page never becomes ready. */
  window.__benchState = function () {
    return {
      rendered: rendered(),
      widgetsShown: widgetsShown(),
      controlReady: controlReady(),
      socketOpen: opened,
      kernelInfo: kernelInfo,
      widgetState: widgetState,
      pendingMessages: pendingCount,
      kernelState: lastState,
    };
  };

  function received(event) {
    var message = parse(event.data);
    if (!message || !message.header) {
      return;
    }
    var parent = message.parent_header && message.parent_header.msg_id;
    if (message.channel === "shell") {
      window.__benchKernel.replies += 1;
      kernelInfo = kernelInfo || message.header.msg_type === "kernel_info_reply";
      widgetState = widgetState || message.header.msg_type === "comm_info_reply";
    }
    if (message.header.msg_type === "comm_msg" && message.content && message.content.data) {
      widgetState = widgetState || message.content.data.method === "update_states";
    }
    if (message.header.msg_type === "status" && message.content) {
      lastState = message.content.execution_state;
      window.__benchKernel.state = lastState;
      if (lastState === "idle" && parent && pending[parent]) {
        delete pending[parent];
        pendingCount -= 1;
        window.__benchKernel.pending = pendingCount;
      }
    }
    check();
  }

  function sent(data) {
    var message = parse(data);
    if (message && message.channel === "shell" && message.header && message.header.msg_id) {
      if (!pending[message.header.msg_id]) {
        pending[message.header.msg_id] = true;
        pendingCount += 1;
        window.__benchKernel.sent += 1;
        window.__benchKernel.pending = pendingCount;
      }
    }
  }

  if (NativeWebSocket) {
    var Tracked = function (url, protocols) {
      var socket =
        protocols === undefined ? new NativeWebSocket(url) : new NativeWebSocket(url, protocols);
      if (KERNEL_CHANNEL.test(String(url))) {
        socket.addEventListener("open", function () {
          opened = true;
        });
        socket.addEventListener("message", received);
        var send = socket.send;
        socket.send = function (data) {
          sent(data);
          return send.call(socket, data);
        };
      }
      return socket;
    };
    Tracked.prototype = NativeWebSocket.prototype;
    ["CONNECTING", "OPEN", "CLOSING", "CLOSED"].forEach(function (name) {
      Tracked[name] = NativeWebSocket[name];
    });
    window.WebSocket = Tracked;
  }

  new MutationObserver(check).observe(document, {
    subtree: true,
    childList: true,
    attributes: true,
  });
  setInterval(check, 25);
})();
