/* The projector: the shared countdown, the round and its question in French and Dutch,
 * and the latest post-its; during a poll or a words round, the room's answers instead:
 * live bars, or the word cloud the server draws (an SVG image), once revealed.
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
  var showVoice = voice(root, text);

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
    showVoice(round && (round.kind === "poll" || round.kind === "words") ? round : null);
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

// --- The room's voice: a poll's bars, a word cloud -------------------------------------

/* A short, stable name for a text (djb2), to put in an address. */
function digest(text) {
  var hash = 5381;
  for (var i = 0; i < text.length; i += 1) hash = (hash * 33 + text.charCodeAt(i)) | 0;
  return (hash >>> 0).toString(36);
}

function voice(root, text) {
  var RESULTS_EVERY_MS = 2500;
  var section = document.getElementById("voice");
  var postitsSection = document.getElementById("postits-section");
  var count = document.getElementById("voice-count");
  var waiting = document.getElementById("voice-waiting");
  var chart = document.getElementById("poll-chart");
  var cloud = document.getElementById("voice-cloud");
  var current = null;
  var timer = null;
  var drawn = "";
  var etag = "";

  function bar(item, voters) {
    var li = document.createElement("li");
    li.className = "poll-bar";
    var label = document.createElement("span");
    label.className = "poll-bar-label";
    label.textContent = item.label.fr === item.label.nl ? item.label.fr : item.label.fr + " / " + item.label.nl;
    var track = document.createElement("span");
    track.className = "poll-bar-track";
    var fill = document.createElement("span");
    fill.className = "poll-bar-fill";
    var share = voters ? Math.round(item.count / voters * 100) : 0;
    fill.style.width = share + "%";
    track.appendChild(fill);
    var value = document.createElement("span");
    value.className = "poll-bar-value";
    value.textContent = item.count + " (" + share + " %)";
    li.append(label, track, value);
    return li;
  }

  function show(results) {
    var answers = text.answers;
    count.textContent = results.voters + " " + answers.fr + (answers.nl !== answers.fr ? " · " + answers.nl : "");
    waiting.hidden = results.results_shown;
    chart.hidden = !results.results_shown || results.kind !== "poll";
    cloud.hidden = !results.results_shown || results.kind !== "words";
    if (!results.results_shown) return;
    if (results.kind === "poll") {
      chart.replaceChildren.apply(chart, results.bars.map(function (item) { return bar(item, results.voters); }));
      return;
    }
    var words = results.words.filter(function (word) { return !word.hidden; });
    var signature = words.map(function (word) { return word.label + ":" + word.count; }).join("\n");
    if (signature === drawn) return;
    drawn = signature;
    cloud.alt = text.cloud + ": " + words.map(function (word) {
      return word.label + " (" + word.count + ")";
    }).join(", ");
    // A new address for new words, so that the browser's cache never shows an old cloud.
    cloud.src = root.dataset.cloudUrl.replace("{round}", String(current)) + "?v=" + digest(signature);
  }

  function load() {
    var round = current;
    if (round === null) return;
    if (document.hidden) {
      timer = setTimeout(load, RESULTS_EVERY_MS);
      return;
    }
    // While the results are those shown, the server answers 304 and nothing is redrawn.
    var headers = etag ? { "If-None-Match": etag } : {};
    api("GET", root.dataset.roundsUrl + round + "/results", { cache: "no-store", headers: headers }).then(function (answer) {
      if (round !== current || !answer.ok || !answer.data) return;
      etag = answer.headers.get("ETag") || "";
      show(answer.data);
    }, function () {}).then(function () {
      if (round === current) timer = setTimeout(load, RESULTS_EVERY_MS);
    });
  }

  return function (round) {
    var id = round ? round.id : null;
    section.hidden = id === null;
    postitsSection.hidden = id !== null;
    if (id === current) {
      if (round) waiting.hidden = round.results_shown;
      return;
    }
    clearTimeout(timer);
    current = id;
    drawn = "";
    etag = "";
    chart.replaceChildren();
    cloud.hidden = true;
    if (id !== null) load();
  };
}
