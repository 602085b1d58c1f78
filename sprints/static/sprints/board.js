/* Dragging cards between the board's columns (issue 15).
 *
 * With a mouse: HTML5 drag and drop of the whole card. With a finger or pen: the card's grip
 * (⠿), followed by pointer events, since touch screens start no HTML5 drag. Either way the drop
 * posts the same status change as the card's "Move to …" menu, through htmx, and the board
 * comes back from the server (the menu stays the way to move cards by keyboard).
 */
(function () {
  "use strict";

  var live = document.getElementById("board-live");
  if (!live || !window.htmx) {
    return;
  }
  var dragged = null;

  function cardOf(node) {
    var card = node && node.closest ? node.closest("li[data-item]") : null;
    return card && card.dataset.statusUrl ? card : null;
  }

  function columnOf(node) {
    return node && node.closest ? node.closest("section[data-drop]") : null;
  }

  function mark(column) {
    live.querySelectorAll(".sprints-column--drop-target").forEach(function (el) {
      if (el !== column) {
        el.classList.remove("sprints-column--drop-target");
      }
    });
    if (column) {
      column.classList.add("sprints-column--drop-target");
    }
  }

  function start(card) {
    dragged = card;
    live.dataset.liveBusy = "1";
    card.classList.add("sprints-card--dragging");
  }

  function stop() {
    if (dragged) {
      dragged.classList.remove("sprints-card--dragging", "sprints-card--pointer-drag");
      dragged.style.transform = "";
    }
    dragged = null;
    delete live.dataset.liveBusy;
    mark(null);
  }

  function drop(card, column) {
    if (!card || !column || column.dataset.status === card.dataset.status) {
      return;
    }
    // htmx posts nothing for a source no longer in the page: should the board have been
    // swapped since the drag began, post from the card as it is now.
    if (!document.body.contains(card)) {
      card = document.getElementById(card.id);
      if (!card) {
        return;
      }
    }
    var form = card.querySelector("form.sprints-card__moves");
    window.htmx.ajax("POST", card.dataset.statusUrl, {
      source: form || card,
      target: "#board",
      swap: "outerHTML settle:0ms",
      values: { status: column.dataset.status },
    });
  }

  // Cards are drawn by the server and swapped in again after each change: mark them
  // draggable whenever the board arrives.
  function arm() {
    live.querySelectorAll("li[data-status-url]").forEach(function (card) {
      card.setAttribute("draggable", "true");
    });
  }
  arm();
  document.body.addEventListener("htmx:afterSettle", arm);

  // --- Mouse: HTML5 drag and drop ---------------------------------------------------------
  live.addEventListener("dragstart", function (event) {
    var card = cardOf(event.target);
    if (!card) {
      return;
    }
    start(card);
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.reference || card.dataset.item);
  });

  live.addEventListener("dragover", function (event) {
    var column = columnOf(event.target);
    if (!dragged || !column) {
      return;
    }
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    mark(column);
  });

  live.addEventListener("drop", function (event) {
    var column = columnOf(event.target);
    if (!dragged || !column) {
      return;
    }
    event.preventDefault();
    var card = dragged;
    stop();
    drop(card, column);
  });

  live.addEventListener("dragend", stop);

  // --- Touch and pen: the grip, with pointer events ----------------------------------------
  var origin = null;
  live.addEventListener("pointerdown", function (event) {
    if (event.pointerType === "mouse" || !event.target.closest(".sprints-card__grip")) {
      return;
    }
    var card = cardOf(event.target);
    if (!card) {
      return;
    }
    event.preventDefault();
    origin = { x: event.clientX, y: event.clientY, id: event.pointerId };
    start(card);
    card.classList.add("sprints-card--pointer-drag");
  });

  live.addEventListener("pointermove", function (event) {
    if (!dragged || !origin || event.pointerId !== origin.id) {
      return;
    }
    dragged.style.transform =
      "translate(" + (event.clientX - origin.x) + "px," + (event.clientY - origin.y) + "px)";
    mark(columnOf(document.elementFromPoint(event.clientX, event.clientY)));
    // Near the window's edge the page scrolls, so a column off-screen can be reached.
    if (event.clientY > window.innerHeight - 40) {
      window.scrollBy(0, 20);
    } else if (event.clientY < 40) {
      window.scrollBy(0, -20);
    }
  });

  function pointerEnd(event) {
    if (!dragged || !origin || event.pointerId !== origin.id) {
      return;
    }
    var card = dragged;
    var column = event.type === "pointerup"
      ? columnOf(document.elementFromPoint(event.clientX, event.clientY))
      : null;
    origin = null;
    stop();
    drop(card, column);
  }
  document.addEventListener("pointerup", pointerEnd);
  document.addEventListener("pointercancel", pointerEnd);
})();
