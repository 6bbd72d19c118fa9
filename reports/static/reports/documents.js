/* A document's job page: start its build, follow its progress (done of total), then
   offer the download. Talks to /api/ with the session and its CSRF token; every sentence
   it shows comes from the page (json_script "document-text"), in the page's language. */
import { apiData } from "../site/api.js";

const root = document.getElementById("document-job");
if (root) documentJob(root);

function documentJob(root) {
  var text = JSON.parse(document.getElementById("document-text").textContent);
  var body = JSON.parse(document.getElementById("document-start").textContent);
  var bar = document.getElementById("document-progress");
  var status = document.getElementById("document-status");
  var link = document.getElementById("document-link");
  var button = document.getElementById("document-start");
  var POLL_MS = 1000;

  function call(method, url, payload) {
    return apiData(method, url, { body: payload, cache: "no-store" }, text);
  }

  function show(job) {
    bar.hidden = false;
    bar.value = job.progress;
    link.hidden = true;
    if (job.status === "done") {
      status.textContent = text.done;
      link.href = job.download_url;
      link.textContent = text.download;
      link.hidden = false;
      button.disabled = false;
    } else if (job.status === "failed") {
      status.textContent = text.failed.replace("%(error)s", job.error);
      button.disabled = false;
    } else {
      status.textContent = job.status === "running"
        ? text.running.replace("%(done)s", job.done).replace("%(total)s", job.total)
        : text.queued;
      window.setTimeout(function () { poll(job.id); }, POLL_MS);
    }
  }

  function failed(error) {
    status.textContent = error.message;
    button.disabled = false;
  }

  function poll(id) {
    call("GET", root.dataset.jobUrl + id).then(show, failed);
  }

  button.addEventListener("click", function () {
    button.disabled = true;
    status.textContent = text.queued;
    call("POST", root.dataset.startUrl, body).then(show, failed);
  });

  if (root.dataset.follow) {
    button.disabled = true;
    poll(root.dataset.follow);
  }
}
