/* The backlog page: drag and drop to any place, with auto-scroll near the window's edges, and
 * focus on the error summary of "add an item".
 *
 * A drop posts the same move the row menu posts (before=<id> or after=<id>), through htmx, so
 * the list comes back from the server in its new order. The row menu remains the way to move
 * items without a mouse (with the change spoken by the live region).
 */
(function () {
  "use strict";

  var container = document.getElementById("backlog");
  if (!container || !window.htmx) {
    return;
  }
  var dragged = null;
  // Within this many pixels of the window's top or bottom edge a drag scrolls the page, faster
  // the closer it gets; a timer keeps it going while the pointer rests there.
  var EDGE = 80;
  var MAX_STEP = 24;
  var pointerY = null;
  var scrollTimer = null;

  function itemOf(node) {
    return node && node.closest ? node.closest("#backlog-list li[data-item]") : null;
  }

  function clearMarks() {
    container.querySelectorAll(".sprints-item--drop-before, .sprints-item--drop-after").forEach(function (el) {
      el.classList.remove("sprints-item--drop-before", "sprints-item--drop-after");
    });
  }

  function placement(target, y) {
    var box = target.getBoundingClientRect();
    return y < box.top + box.height / 2 ? "before" : "after";
  }

  function scrollStep() {
    if (pointerY === null) {
      return 0;
    }
    var height = window.innerHeight;
    if (pointerY < EDGE) {
      return -Math.ceil(MAX_STEP * (EDGE - pointerY) / EDGE);
    }
    if (pointerY > height - EDGE) {
      return Math.ceil(MAX_STEP * (pointerY - (height - EDGE)) / EDGE);
    }
    return 0;
  }

  function startScrolling() {
    if (scrollTimer !== null) {
      return;
    }
    scrollTimer = window.setInterval(function () {
      var step = scrollStep();
      if (step !== 0) {
        window.scrollBy(0, step);
      }
    }, 16);
  }

  function stopScrolling() {
    window.clearInterval(scrollTimer);
    scrollTimer = null;
    pointerY = null;
  }

  container.addEventListener("dragstart", function (event) {
    var item = itemOf(event.target);
    // A drag starts on the row itself, not on the controls of its open menu.
    if (!item || !item.dataset.moveUrl || (event.target.closest && event.target.closest(".sprints-menu__panel"))) {
      return;
    }
    dragged = item;
    container.dataset.liveBusy = "1";
    item.classList.add("sprints-item--dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", item.dataset.reference || item.dataset.item);
    startScrolling();
  });

  // Over the whole page, so the pointer near an edge above or below the list scrolls as well.
  document.addEventListener("dragover", function (event) {
    if (!dragged) {
      return;
    }
    pointerY = event.clientY;
    var target = itemOf(event.target);
    if (!target || target === dragged) {
      return;
    }
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    clearMarks();
    target.classList.add("sprints-item--drop-" + placement(target, event.clientY));
  });

  container.addEventListener("dragleave", function (event) {
    var target = itemOf(event.target);
    if (target && !target.contains(event.relatedTarget)) {
      target.classList.remove("sprints-item--drop-before", "sprints-item--drop-after");
    }
  });

  container.addEventListener("drop", function (event) {
    var target = itemOf(event.target);
    if (!dragged || !target || target === dragged) {
      return;
    }
    event.preventDefault();
    var list = document.getElementById("backlog-list");
    // The list comes back with the same page and filters it was shown with.
    var values = { page: list.dataset.page || "1" };
    new URLSearchParams(list.dataset.filterQuery || "").forEach(function (value, name) {
      values[name] = value;
    });
    values[placement(target, event.clientY)] = target.dataset.item;
    // htmx posts nothing for a source no longer in the page: should the list have been
    // swapped since the drag began, post from the dragged item's row as it is now.
    var source = document.body.contains(dragged)
      ? dragged
      : document.getElementById(dragged.id) || dragged;
    window.htmx.ajax("POST", source.dataset.moveUrl, {
      source: source,
      target: "#backlog-list",
      swap: "outerHTML settle:0ms",
      values: values,
    });
  });

  document.addEventListener("dragend", function () {
    if (dragged) {
      dragged.classList.remove("sprints-item--dragging");
    }
    dragged = null;
    delete container.dataset.liveBusy;
    stopScrolling();
    clearMarks();
  });

  // Escape closes an open row menu and gives focus back to its button.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    var menu = event.target.closest ? event.target.closest("details.sprints-menu[open]") : null;
    if (menu) {
      menu.open = false;
      menu.querySelector("summary").focus();
    }
  });

  // A row menu open when the list is refreshed (someone's change, or one's own move) stays
  // open, so keyboard focus stays on the move button it was on.
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (!target || target.id !== "backlog-list" || typeof event.detail.serverResponse !== "string") {
      return;
    }
    var html = event.detail.serverResponse;
    target.querySelectorAll("details.sprints-menu[open]").forEach(function (menu) {
      html = html.replace('<details class="sprints-menu" id="' + menu.id + '">',
        '<details class="sprints-menu" id="' + menu.id + '" open>');
    });
    event.detail.serverResponse = html;
  });

  // "Add an item" refused: the NL Design System error summary takes the focus, as it does
  // on a page that loads with one.
  document.body.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    if (target && target.id === "quick-add") {
      var summary = document.getElementById("new-item-error-summary");
      if (summary) {
        summary.focus();
      }
    }
  });
})();
