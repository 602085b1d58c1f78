// The page shell, on every page (base.html): the menu button of the compact header, focus on
// the error summary, focus asked for by the server, and the viewer's time zone.
(function () {
  "use strict";

  // Times are shown in the viewer's own zone: tell the server which one that is.
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && document.cookie.indexOf("deelbaar_tz=" + zone) === -1) {
      document.cookie = "deelbaar_tz=" + zone + "; path=/; max-age=31536000; SameSite=Lax";
    }
  } catch (ignored) { /* an old browser: the platform's zone it is */ }

  function focusSummary(root) {
    var summary = (root || document).querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
      return true;
    }
    return false;
  }

  // The compact header (narrow screens): the navigation, language and account fold behind the
  // menu button; the <html> classes let deelbaar.css show the button and the open menu. Without
  // JavaScript nothing is folded.
  function setUpMenu() {
    var button = document.getElementById("menu-button");
    if (!button) {
      return;
    }
    var root = document.documentElement;
    button.hidden = false;
    root.classList.add("deelbaar-has-menu-button");
    function setOpen(open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      root.classList.toggle("deelbaar-menu-open", open);
    }
    button.addEventListener("click", function () {
      setOpen(button.getAttribute("aria-expanded") !== "true");
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
        setOpen(false);
        button.focus();
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpMenu();
    // NL Design System error summary: after a refused form, focus goes to the summary.
    focusSummary(document);
  });
  // After an htmx swap the server names what gets focus (HX-Trigger-After-Settle): a search
  // typed into must keep it, so the summary is not focused here.
}());
