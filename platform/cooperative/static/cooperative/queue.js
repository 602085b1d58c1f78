// The membership queue updates a row in place (htmx). Keyboard focus follows the change: the
// server names the element to focus (the first field in error, or the message saying what
// happened) in HX-Trigger-After-Settle, so no one is left on a row that is gone.
document.addEventListener("deelbaar:focus", function (event) {
  var element = document.getElementById(event.detail.value);
  if (element) {
    element.focus();
  }
});
