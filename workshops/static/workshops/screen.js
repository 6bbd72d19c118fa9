/* The projector: the shared countdown, the round and its question in French and Dutch,
 * and the latest post-its.
 *
 * The page starts from what the server rendered and follows the timer API (timer.js)
 * and the contributions API with the facilitator's session. The root element's
 * data-phase ("idle", "planned", "running", "last-minute", "paused", "ended") drives
 * the colours; everything the server sends is shown with textContent, never as HTML.
 */
import { api } from "../site/api.js";
import { readPage, showCountdown } from "./common.js";
import { Countdown } from "./timer.js";

const page = readPage("screen", "screen-text");
if (page) projector(page.root, page.text);

function projector(root, text) {
  var latest = Number(root.dataset.latest) || 12;
  var POSTITS_EVERY_MS = 4000;

  var countdownStatus = document.getElementById("countdown-status");
  var roundTitle = document.getElementById("round-title");
  var roundFr = document.getElementById("round-title-fr");
  var roundNl = document.getElementById("round-title-nl");
  var questions = document.getElementById("questions");
  var questionFr = document.getElementById("question-fr");
  var questionNl = document.getElementById("question-nl");
  var closedBanner = document.getElementById("closed-banner");
  var postits = document.getElementById("postits");

  function showState(state) {
    var round = state.round;
    roundFr.textContent = round ? round.title.fr : "";
    roundNl.textContent = round ? round.title.nl : "";
    roundNl.hidden = !round || round.title.nl === round.title.fr;
    // No empty heading between rounds, nor once the workshop is closed.
    roundTitle.hidden = !round;
    var question = round && round.question;
    questions.hidden = !question;
    questionFr.textContent = question ? question.text.fr : "";
    questionNl.textContent = question ? question.text.nl : "";
    root.dataset.status = state.workshop_status;
    closedBanner.hidden = state.workshop_status !== "closed";
  }

  var clock = new Countdown({
    url: root.dataset.timerUrl,
    onChange: showState,
    onTick: function (remainingMs, phase) {
      showCountdown(root, remainingMs, phase, text[phase] || "", text);
    },
    onError: function (status) {
      countdownStatus.textContent = status === 401 || status === 403 ? text.signed_out : text.network;
    }
  });
  window.workshopClock = clock;
  clock.start();

  // --- The latest post-its -------------------------------------------------------------

  var shown = Array.prototype.map.call(postits.children, function (item) {
    return item.dataset.contribution + ":" + item.textContent;
  }).join("\n");

  function newestFirst(a, b) {
    if (a.created_at === b.created_at) return b.id - a.id;
    return a.created_at < b.created_at ? 1 : -1;
  }

  function showPostits(items) {
    var visible = items.filter(function (item) {
      return !item.hidden && !item.merged_into;
    }).sort(newestFirst).slice(0, latest);
    var signature = visible.map(function (item) { return item.id + ":" + item.text; }).join("\n");
    if (signature === shown) return;
    var before = {};
    Array.prototype.forEach.call(postits.children, function (item) {
      before[item.dataset.contribution] = true;
    });
    var list = document.createDocumentFragment();
    visible.forEach(function (item) {
      var li = document.createElement("li");
      li.className = "postit" + (before[item.id] ? "" : " postit-new");
      li.dataset.contribution = String(item.id);
      li.textContent = item.text;
      list.appendChild(li);
    });
    postits.replaceChildren(list);
    shown = signature;
  }

  function loadPostits() {
    if (document.hidden) {
      setTimeout(loadPostits, POSTITS_EVERY_MS);
      return;
    }
    // The endpoint answers a list; anything else (an error, a body that is not JSON)
    // leaves the wall as it is until the next poll.
    api("GET", root.dataset.contributionsUrl, { cache: "no-store" }).then(function (answer) {
      if (answer.ok && Array.isArray(answer.data)) showPostits(answer.data);
    }, function () {}).then(function () {
      setTimeout(loadPostits, POSTITS_EVERY_MS);
    });
  }
  loadPostits();
}
