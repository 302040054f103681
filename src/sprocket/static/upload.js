// Upload progress for the replay upload form (web/templates/submit.html). Progressive
// enhancement: without this script the form posts as it is. With it, the same multipart
// form (the CSRF token first) goes by XMLHttpRequest, a <progress> bar follows the upload,
// and the page the server answers with (the submission, or the form with its error) is shown.
(function () {
  "use strict";

  function enhance(form) {
    var box = form.querySelector(".upload-progress");
    var bar = box && box.querySelector("progress");
    var status = box && box.querySelector(".upload-status");
    var button = form.querySelector("button[type=submit]");
    if (!bar || !status || !window.FormData || !window.XMLHttpRequest || !window.DOMParser) {
      return;
    }

    function failed(message) {
      status.textContent = message;
      status.classList.add("error");
      button.disabled = false;
    }

    function shown(xhr) {
      var type = xhr.getResponseHeader("Content-Type") || "";
      if (type.indexOf("text/html") === -1) {
        // The HTTP guards (body limit, rate limit) answer in JSON.
        var message = "The upload was refused (HTTP " + xhr.status + ").";
        try {
          message = JSON.parse(xhr.responseText).errors[0].message;
        } catch (ignored) {
          // keep the generic sentence
        }
        failed(message);
        return;
      }
      var page = new DOMParser().parseFromString(xhr.responseText, "text/html");
      var main = page.querySelector("main");
      if (!main) {
        failed("The server's answer could not be shown; reload the page.");
        return;
      }
      document.title = page.title;
      document.querySelector("main").replaceWith(main);
      if (xhr.responseURL && xhr.responseURL !== window.location.href) {
        window.history.pushState(null, "", xhr.responseURL);
      }
      var heading = main.querySelector("h1");
      if (heading) {
        heading.setAttribute("tabindex", "-1");
        heading.focus();
      }
      var again = main.querySelector("form[data-upload]");
      if (again) {
        enhance(again);
      }
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("Accept", "text/html");
      xhr.upload.addEventListener("progress", function (progress) {
        if (progress.lengthComputable) {
          var percent = Math.round((100 * progress.loaded) / progress.total);
          bar.value = percent;
          bar.textContent = percent + "%";
          status.textContent = "Uploaded " + percent + "%.";
        }
      });
      xhr.upload.addEventListener("load", function () {
        status.textContent = "Uploaded; the server is checking the files…";
      });
      xhr.addEventListener("load", function () {
        shown(xhr);
      });
      xhr.addEventListener("error", function () {
        failed("The upload did not reach the server; check the connection and try again.");
      });
      box.hidden = false;
      bar.value = 0;
      status.classList.remove("error");
      status.textContent = "Uploading…";
      button.disabled = true;
      xhr.send(new FormData(form));
    });
  }

  // The address changed without a page load: going back shows the page it names.
  window.addEventListener("popstate", function () {
    window.location.reload();
  });
  Array.prototype.forEach.call(document.querySelectorAll("form[data-upload]"), enhance);
})();
