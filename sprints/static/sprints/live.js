/* Live pages: a websocket per page refreshes a part of it when someone changes something.
 *
 * An element with data-live-socket (the /ws/ path), data-live-events (event types, space
 * separated), data-live-refresh (URL of the partial) and data-live-target (id of the element
 * the partial replaces) listens; the partial is swapped in with htmx, which keeps keyboard
 * focus on the element with the same id. data-live-announce names the aria-live region that
 * reads data-live-message when a change came from someone else. Texts come from the template,
 * so they are translated with the page.
 */
(function () {
  "use strict";

  var OWN_CHANGE_MS = 2000;

  function socketUrl(path) {
    return (window.location.protocol === "https:" ? "wss://" : "ws://") + window.location.host + path;
  }

  function Live(root) {
    this.root = root;
    this.events = (root.dataset.liveEvents || "").split(/\s+/).filter(Boolean);
    this.delay = 1000;
    this.timer = null;
    this.lastOwnRequest = 0;
    this.refreshStarted = 0;
    var live = this;
    // Requests made from inside this part of the page are the person's own changes.
    root.addEventListener("htmx:beforeRequest", function (event) {
      if (event.detail.elt !== root) {
        live.lastOwnRequest = Date.now();
      } else {
        live.refreshStarted = Date.now();
      }
    });
    // A refresh that was under way when the person made a change of their own may show the
    // list from before it: drop it and fetch again, rather than undo their change on screen.
    // Nor swap one in while a drag is under way (data-live-busy): the refresh may have left
    // before the drag began, and replacing the list under the pointer would take away the
    // dragged row, so the drop would post nothing. It comes again once the drag has ended.
    // (htmx sets detail.elt to the element the event is on, here the swapped part: the
    // request's own element is requestConfig.elt.)
    root.addEventListener("htmx:beforeSwap", function (event) {
      var config = event.detail.requestConfig;
      if (!config || config.elt !== root) {
        return;
      }
      if (live.lastOwnRequest >= live.refreshStarted || root.dataset.liveBusy) {
        event.detail.shouldSwap = false;
        live.schedule();
      }
    });
    // A refresh counts as done (data-live-refreshed, and the announcement) when it is shown,
    // not when its request ends: one held back above is fetched again.
    root.addEventListener("htmx:afterSwap", function (event) {
      var config = event.detail.requestConfig;
      if (!config || config.elt !== root) {
        return;
      }
      if (live.pending) {
        live.pending.swapped = true;
      }
      root.dataset.liveRefreshed = String(Date.now());
      var region = document.getElementById(root.dataset.liveAnnounce || "");
      if (region && !live.own && root.dataset.liveMessage) {
        region.textContent = root.dataset.liveMessage;
      }
    });
    this.open();
  }

  Live.prototype.open = function () {
    var live = this;
    var socket = new WebSocket(socketUrl(this.root.dataset.liveSocket));
    socket.addEventListener("open", function () {
      live.root.dataset.liveState = "open";
      live.delay = 1000;
    });
    socket.addEventListener("message", function (message) {
      var event;
      try {
        event = JSON.parse(message.data);
      } catch (error) {
        return;
      }
      if (event && live.events.indexOf(event.type) !== -1) {
        live.schedule();
      }
    });
    socket.addEventListener("close", function (event) {
      live.root.dataset.liveState = "closed";
      // 4401 and 4403: not logged in, or not allowed; trying again will not help.
      if (event.code === 4401 || event.code === 4403) {
        return;
      }
      window.setTimeout(function () { live.open(); }, live.delay);
      live.delay = Math.min(live.delay * 2, 30000);
    });
  };

  // Several events often come at once (closing a sprint moves many items): refresh once.
  Live.prototype.schedule = function () {
    var live = this;
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(function () { live.refresh(); }, 80);
  };

  Live.prototype.refresh = function () {
    var live = this;
    if (this.root.dataset.liveBusy) {
      this.schedule();
      return;
    }
    // One refresh at a time; an event that came while one was under way gets one more after
    // it (the answer under way may predate that change).
    if (this.pending) {
      this.again = true;
      return;
    }
    this.own = Date.now() - this.lastOwnRequest < OWN_CHANGE_MS;
    // The part shown may name its own refresh (a filtered backlog: its filters and page).
    var shown = document.getElementById(this.root.dataset.liveTarget);
    var url = (shown && shown.dataset.liveRefresh) || this.root.dataset.liveRefresh;
    var request = { target: shown, swapped: false };
    this.pending = request;
    this.again = false;
    function done() {
      live.pending = null;
      // htmx swaps into the element it found when the request left; if one's own change
      // replaced that part in the meantime, the answer went nowhere: fetch it again.
      var lost = !request.swapped && request.target && !document.body.contains(request.target);
      if (live.again || lost) {
        live.schedule();
      }
    }
    window.htmx.ajax("GET", url, {
      source: this.root,
      target: "#" + this.root.dataset.liveTarget,
      // settle:0ms wires up the new content at once (htmx waits 20 ms by default): a key
      // pressed right after the swap must not fall back to a plain form submission.
      swap: "outerHTML settle:0ms",
    }).then(done, done);
  };

  function reveal(element) {
    var box = element.getBoundingClientRect();
    if (box.top < 0 || box.bottom > window.innerHeight) {
      element.scrollIntoView({ block: "nearest", behavior: "instant" });
    }
  }

  // Servers ask for focus with HX-Trigger-After-Settle {"deelbaar:focus": [ids]}. htmx keeps
  // focus on a swapped element with the same id, without scrolling: bring a moved control into
  // view. If the focused element is gone (a card moved to another column), focus the first of
  // the ids that exists.
  document.body.addEventListener("deelbaar:focus", function (event) {
    var active = document.activeElement;
    if (active && active !== document.body && document.body.contains(active)) {
      if (active.matches("button, a, input, select, textarea")) {
        reveal(active);
      }
      return;
    }
    var ids = [].concat(event.detail.value || []);
    for (var i = 0; i < ids.length; i += 1) {
      var element = document.getElementById(ids[i]);
      if (element) {
        element.focus({ preventScroll: true });
        reveal(element);
        return;
      }
    }
  });

  document.querySelectorAll("[data-live-socket]").forEach(function (root) {
    if (window.htmx && window.WebSocket) {
      root.live = new Live(root);
    }
  });
})();
