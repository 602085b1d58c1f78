/* The repository page: follow a running sync live.
 *
 * Listens on the person's notification socket (data-live-socket) for "repository.sync" events
 * of this repository (data-repository); moves the progress bar and its numbers at once, and
 * fetches the state part (data-refresh) again when the state changes. Same pattern as
 * sprints/live.js: reconnect with backoff, give up on 4401/4403.
 */
(function () {
  "use strict";

  function socketUrl(path) {
    return (window.location.protocol === "https:" ? "wss://" : "ws://") + window.location.host + path;
  }

  function follow(root) {
    var id = Number(root.dataset.repository);
    var delay = 1000;

    function refresh() {
      fetch(root.dataset.refresh, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) { if (html !== null) { root.innerHTML = html; } });
    }

    function show(data) {
      var bar = document.getElementById("repository-progress");
      var numbers = document.getElementById("repository-progress-numbers");
      var status = document.getElementById("repository-status");
      if (bar) {
        bar.max = Math.max(data.total, 1);
        bar.value = data.total ? data.done : 0;
        bar.textContent = data.done + "/" + data.total;
      }
      if (numbers) {
        numbers.textContent = numbers.textContent.replace(/\d+(\D+)\d+/, data.done + "$1" + data.total);
      }
      if (!status || status.dataset.state !== data.state) {
        refresh();
      }
    }

    function open() {
      var socket = new WebSocket(socketUrl(root.dataset.liveSocket));
      socket.addEventListener("open", function () { delay = 1000; root.dataset.liveState = "open"; });
      socket.addEventListener("message", function (message) {
        var event;
        try { event = JSON.parse(message.data); } catch (error) { return; }
        if (event && event.type === "repository.sync" && event.data && event.data.id === id) {
          show(event.data);
        }
      });
      socket.addEventListener("close", function (event) {
        root.dataset.liveState = "closed";
        if (event.code === 4401 || event.code === 4403) { return; }
        window.setTimeout(open, delay);
        delay = Math.min(delay * 2, 30000);
      });
    }

    open();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var root = document.getElementById("repository-live");
    if (root) { follow(root); }
  });
})();
