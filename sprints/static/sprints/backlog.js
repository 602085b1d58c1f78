/* Drag and drop on the backlog: drop an item on another to put it before or after it.
 *
 * It posts the same move the keyboard buttons post (before=<id> or after=<id>), through htmx,
 * so the list comes back from the server in its new order. The buttons remain the way to move
 * items without a mouse.
 */
(function () {
  "use strict";

  var container = document.getElementById("backlog");
  if (!container || !window.htmx) {
    return;
  }
  var dragged = null;

  function itemOf(node) {
    return node && node.closest ? node.closest("li[data-item]") : null;
  }

  function clearMarks() {
    container.querySelectorAll(".sprints-item--drop-before, .sprints-item--drop-after").forEach(function (el) {
      el.classList.remove("sprints-item--drop-before", "sprints-item--drop-after");
    });
  }

  function placement(target, event) {
    var box = target.getBoundingClientRect();
    return event.clientY < box.top + box.height / 2 ? "before" : "after";
  }

  container.addEventListener("dragstart", function (event) {
    var item = itemOf(event.target);
    if (!item || !item.dataset.moveUrl) {
      return;
    }
    dragged = item;
    container.dataset.liveBusy = "1";
    item.classList.add("sprints-item--dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", item.dataset.reference || item.dataset.item);
  });

  container.addEventListener("dragover", function (event) {
    var target = itemOf(event.target);
    if (!dragged || !target || target === dragged) {
      return;
    }
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    clearMarks();
    target.classList.add("sprints-item--drop-" + placement(target, event));
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
    var values = { page: document.getElementById("backlog-list").dataset.page || "1" };
    values[placement(target, event)] = target.dataset.item;
    var source = dragged;
    window.htmx.ajax("POST", source.dataset.moveUrl, {
      source: source,
      target: "#backlog-list",
      swap: "outerHTML settle:0ms",
      values: values,
    });
  });

  container.addEventListener("dragend", function () {
    if (dragged) {
      dragged.classList.remove("sprints-item--dragging");
    }
    dragged = null;
    delete container.dataset.liveBusy;
    clearMarks();
  });
})();
