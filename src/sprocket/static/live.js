// Live page parts: every element with a data-live="<url>" attribute listens to the
// server-sent events at that address. An "update" event carries the part's new HTML,
// which replaces the element's content (held back while the visitor is typing in it);
// an "ended" event (signed out, or nothing left to show) stops listening and says why.
// Without this script the page still works: reload it to see what changed.
(function () {
  "use strict";

  function typingIn(element) {
    var active = document.activeElement;
    return active !== null && active !== document.body && element.contains(active) &&
      /^(INPUT|SELECT|TEXTAREA)$/.test(active.tagName);
  }

  function listen(element) {
    var source = new EventSource(element.getAttribute("data-live"));
    var waiting = null; // HTML held back while the visitor types in the part

    function show(html) {
      if (typingIn(element)) {
        waiting = html;
        return;
      }
      waiting = null;
      element.innerHTML = html;
    }

    element.addEventListener("focusout", function () {
      // Focus moves on after this event: look once it has.
      window.setTimeout(function () {
        if (waiting !== null) {
          show(waiting);
        }
      }, 0);
    });

    source.addEventListener("update", function (event) {
      show(event.data);
    });

    source.addEventListener("ended", function (event) {
      source.close();
      var note = document.createElement("p");
      note.className = "notice";
      note.setAttribute("role", "status");
      note.textContent = event.data + " Reload the page to see it again.";
      element.insertBefore(note, element.firstChild);
    });
  }

  if (typeof window.EventSource === "function") {
    var parts = document.querySelectorAll("[data-live]");
    for (var i = 0; i < parts.length; i += 1) {
      listen(parts[i]);
    }
  }
})();
