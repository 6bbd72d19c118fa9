/* The booklet's review page: while the approved version's files are being made, follow
   their build's progress from the review's API, then reload the page, which lists them
   (or says why they failed). A reader writing a comment is not reloaded under their
   typing: the page says the files are ready instead. */
import { api } from "../site/api.js";

const root = document.getElementById("approval-files");
if (root) follow(root);

function follow(root) {
  const bar = document.getElementById("approval-files-progress");
  const status = document.getElementById("approval-files-status");
  const comment = document.getElementById("review-comment");
  const POLL_MS = 1500;
  const RETRY_MS = 6000;

  function finished() {
    if (comment && comment.value.trim()) status.textContent = root.dataset.finishedText;
    else window.location.reload();
  }

  function poll() {
    api("GET", root.dataset.reviewUrl, { cache: "no-store" }).then((answer) => {
      const approval = answer.ok && answer.data ? answer.data.approval : null;
      if (!approval) {
        window.setTimeout(poll, RETRY_MS);
      } else if (approval.files_status === "done" || approval.files_status === "failed") {
        bar.value = approval.files_progress;
        finished();
      } else {
        bar.value = approval.files_progress;
        window.setTimeout(poll, POLL_MS);
      }
    }, () => window.setTimeout(poll, RETRY_MS));
  }

  window.setTimeout(poll, POLL_MS);
}
