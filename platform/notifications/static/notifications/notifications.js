/* The unread count in the header and the menu: fetched once, then kept up to date over the
 * person's own socket (/ws/notifications/, event "notifications.unread"). Every element with
 * data-unread-count shows it; its data-unread-number child holds the number. */
(function () {
  "use strict";

  if (window.deelbaarUnread) {
    return; // included more than once (header and menu): one socket is enough
  }
  window.deelbaarUnread = true;

  function show(count) {
    document.querySelectorAll("[data-unread-count]").forEach(function (badge) {
      badge.hidden = !(count > 0);
      badge.dataset.unread = String(count);
      var number = badge.querySelector("[data-unread-number]");
      if (number) {
        number.textContent = String(count);
      }
    });
    document.documentElement.dataset.unread = String(count);
  }

  function fetchCount() {
    var badge = document.querySelector("[data-unread-source]");
    if (!badge) {
      return;
    }
    fetch(badge.dataset.unreadSource, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) { if (body) { show(body.unread); } })
      .catch(function () { /* the count waits for the next event */ });
  }

  var delay = 1000;
  function open() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + "/ws/notifications/");
    socket.addEventListener("open", function () {
      delay = 1000;
      document.documentElement.dataset.unreadSocket = "open";
      // Anything that came while the socket was closed.
      fetchCount();
    });
    socket.addEventListener("message", function (message) {
      var event;
      try {
        event = JSON.parse(message.data);
      } catch (error) {
        return;
      }
      if (event && event.type === "notifications.unread" && event.data) {
        show(event.data.unread);
      }
    });
    socket.addEventListener("close", function (event) {
      document.documentElement.dataset.unreadSocket = "closed";
      if (event.code === 4401 || event.code === 4403) {
        return;
      }
      window.setTimeout(open, delay);
      delay = Math.min(delay * 2, 30000);
    });
  }

  function start() {
    if (document.querySelector("[data-unread-count]")) {
      open();
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
