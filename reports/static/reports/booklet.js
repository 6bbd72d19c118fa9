/* The organiser's booklet page: ask for a build, follow its progress, close the meeting.
   Talks to /api/ with the admin session and its CSRF token; every sentence it shows comes
   from the page (json_script "booklet-text"), in the page's language. */
import { apiData } from "../site/api.js";

const root = document.getElementById("booklet");
if (root) booklet(root);

function booklet(root) {
  var text = JSON.parse(document.getElementById("booklet-text").textContent);
  var bar = document.getElementById("booklet-progress");
  var status = document.getElementById("booklet-status");
  var links = root.querySelectorAll("a[data-format]");
  var buttons = root.querySelectorAll("button[data-language]");
  var POLL_MS = 500;

  function call(method, url, body) {
    return apiData(method, url, { body: body }, text);
  }

  function busy(on) {
    buttons.forEach(function (button) { button.disabled = on; });
  }

  function show(job) {
    bar.hidden = false;
    bar.value = job.progress;
    links.forEach(function (link) { link.hidden = true; });
    if (job.status === "done") {
      status.textContent = text.done;
      // The PDF, then its editable copies (DOCX, ODT), each where the job says it is.
      links.forEach(function (link) {
        var url = job.downloads[link.dataset.format];
        if (url) {
          link.href = url;
          link.hidden = false;
        }
      });
      busy(false);
    } else if (job.status === "failed") {
      status.textContent = text.failed.replace("%(error)s", job.error);
      busy(false);
    } else {
      status.textContent = (text[job.stage] || text[job.status] || text.running) +
        (job.status === "running" ? " " + job.progress + " %" : "");
      window.setTimeout(function () { poll(job.id); }, POLL_MS);
    }
  }

  function failed(error) {
    status.textContent = error.message;
    busy(false);
  }

  function poll(id) {
    call("GET", root.dataset.jobUrl + id).then(show, failed);
  }

  buttons.forEach(function (button) {
    button.addEventListener("click", function () {
      busy(true);
      status.textContent = text.queued;
      call("POST", root.dataset.requestUrl, { language: button.dataset.language }).then(show, failed);
    });
  });

  var close = document.getElementById("booklet-close");
  var closeStatus = document.getElementById("booklet-close-status");
  close.addEventListener("click", function () {
    if (!window.confirm(text.confirm_close)) { return; }
    close.disabled = true;
    closeStatus.textContent = text.closing;
    call("POST", root.dataset.closeUrl).then(function (data) {
      closeStatus.textContent = text.closed.replace("%(count)s", data.emails_queued);
    }, function (error) {
      closeStatus.textContent = error.message;
      close.disabled = false;
    });
  });
}
