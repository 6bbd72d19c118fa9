/* A participant's phone: the countdown, the question, a post-it form and the dot-vote;
 * during a poll, its choices (or the 1-to-5 scale); during a words round, up to three
 * words to send to the projector's cloud.
 *
 * No account: the table's token (from its QR code) and the identity the server gave
 * this phone with the page (signed for this table, kept by the server in a cookie
 * across reloads) go to the API in the X-Table-Token and X-Device headers. The server
 * throttles and counts dots by that identity. Everything the server sends is shown
 * with textContent.
 */
import { api, detail, idempotencyKey } from "../site/api.js";
import { inLanguage, readPage, showCountdown } from "./common.js";
import { Countdown } from "./timer.js";

const page = readPage("screen", "screen-text");
if (page) phone(page.root, page.text, page.lang);

function phone(root, text, lang) {
  var maxLength = Number(root.dataset.maxLength);
  var VOTES_EVERY_MS = 10000;

  var headers = { "X-Table-Token": root.dataset.token, "X-Device": root.dataset.device };

  function format(template, count) {
    return template.replace("%(count)s", String(count));
  }

  /* The phone's credentials on every call (and `extra` headers); resolves to
     {status, ok, data}, status 0 offline, never rejects. The votes are polled: the
     browser's cache must not answer. */
  function call(method, url, body, extra) {
    var options = { body: body, headers: { ...headers, ...extra }, cache: "no-store" };
    return api(method, url, options).then(null, function () {
      return { status: 0, ok: false, data: { detail: text.network } };
    });
  }

  // --- The clock, the round and the question ----------------------------------------

  var countdownStatus = document.getElementById("countdown-status");
  var roundTitle = document.getElementById("round-title");
  var question = document.getElementById("question");
  var closed = document.getElementById("closed");
  var form = document.getElementById("postit-form");

  function stale() {
    clock.stop();
    closed.textContent = text.stale;
    closed.hidden = false;
    if (form) form.hidden = true;
    voteSection.hidden = true;
  }

  function showState(state) {
    var round = state.round;
    roundTitle.textContent = round ? inLanguage(round.title, lang) : "";
    question.textContent = round && round.question ? inLanguage(round.question.text, lang) : "";
    var isClosed = state.workshop_status === "closed";
    root.dataset.status = state.workshop_status;
    closed.hidden = !isClosed;
    if (form) form.hidden = isClosed;
    root.dataset.voteOpen = String(state.vote_open);
    showVote(state.vote_open && !isClosed);
    var asking = !isClosed && round && (round.kind === "poll" || round.kind === "words");
    if (form) form.hidden = isClosed || Boolean(asking);
    showPoll(asking ? round.id : null);
  }

  function showTime(remainingMs, phase) {
    showCountdown(
      root, remainingMs, phase, phase === "ended" ? text.time_is_up : text[phase] || "", text
    );
  }

  var clock = new Countdown({
    url: root.dataset.timerUrl,
    headers: headers,
    onChange: showState,
    onTick: showTime,
    onError: function (status) {
      if (status === 401 || status === 403 || status === 404) stale();
      else countdownStatus.textContent = text.network;
    }
  });
  window.workshopClock = clock;

  // --- The post-it form ---------------------------------------------------------------

  if (form) {
    var textInput = document.getElementById("postit-text");
    var objectiveInput = document.getElementById("postit-objective");
    var counter = document.getElementById("postit-count");
    var error = document.getElementById("postit-error");
    var sent = document.getElementById("postit-sent");
    var submit = document.getElementById("postit-submit");

    var count = function () {
      // Characters as the server counts them: an emoji is one, not two UTF-16 units.
      var left = maxLength - Array.from(textInput.value).length;
      counter.textContent = left >= 0 ? format(text.chars_left, left) : format(text.chars_over, -left);
      counter.classList.toggle("postit-count-over", left < 0);
    };
    textInput.addEventListener("input", count);
    count();

    // The post-it being sent and its Idempotency-Key: sending the same words again
    // after no answer came (the network dropped, perhaps after the server wrote it)
    // sends the same key, and the server answers again instead of posting it twice.
    var sending = null;

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (submit.disabled) return;
      submit.disabled = true;
      error.hidden = true;
      sent.hidden = false;
      sent.textContent = text.sending;
      var body = { text: textInput.value, objective: objectiveInput.value };
      if (!sending || sending.text !== body.text || sending.objective !== body.objective) {
        sending = { text: body.text, objective: body.objective, key: idempotencyKey() };
      }
      call("POST", root.dataset.contributionsUrl, body, {
        "Idempotency-Key": sending.key
      }).then(function (answer) {
        submit.disabled = false;
        if (answer.ok) {
          sending = null;
          textInput.value = "";
          objectiveInput.value = "";
          count();
          sent.textContent = text.sent;
          textInput.focus();
          if (!voteSection.hidden) loadVotes();
          return;
        }
        // What was typed stays in the fields: nothing is lost on a refusal.
        sent.hidden = true;
        if (answer.status === 404 || answer.status === 401) {
          error.textContent = text.stale;
        } else {
          error.textContent = detail(answer, text.refused);
        }
        error.hidden = false;
      });
    });
  }

  // --- The dot-vote --------------------------------------------------------------------

  var voteSection = document.getElementById("vote");
  var voteList = document.getElementById("vote-list");
  var dotsLeft = document.getElementById("dots-left");
  var voteError = document.getElementById("vote-error");
  var votesTimer = null;
  var dots = 0;

  function showDots() {
    dotsLeft.textContent = format(text.dots_left, dots);
    Array.prototype.forEach.call(voteList.querySelectorAll("button.dot"), function (button) {
      button.disabled = button.getAttribute("aria-pressed") !== "true" && dots <= 0;
    });
  }

  function dotButton(item) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "dot";
    button.dataset.contribution = String(item.id);
    setVoted(button, item.voted);
    button.addEventListener("click", function () { toggleDot(button); });
    return button;
  }

  function setVoted(button, voted) {
    button.setAttribute("aria-pressed", voted ? "true" : "false");
    button.textContent = voted ? text.undot : text.dot;
  }

  function showVotes(items) {
    var list = document.createDocumentFragment();
    var used = 0;
    items.forEach(function (item) {
      if (item.voted) used += 1;
      var li = document.createElement("li");
      li.className = "vote-item";
      var p = document.createElement("p");
      p.className = "vote-text";
      p.textContent = item.text;
      li.appendChild(p);
      li.appendChild(dotButton(item));
      list.appendChild(li);
    });
    if (!items.length) {
      var empty = document.createElement("li");
      empty.className = "vote-empty";
      empty.textContent = text.no_postits;
      list.appendChild(empty);
    }
    voteList.replaceChildren(list);
    dots = Math.max(0, (clock.state ? clock.state.vote_limit : 0) - used);
    showDots();
  }

  function loadVotes() {
    clearTimeout(votesTimer);
    call("GET", root.dataset.contributionsUrl).then(function (answer) {
      if (answer.ok) {
        showVotes(Array.isArray(answer.data) ? answer.data : (answer.data && answer.data.items) || []);
      } else if (answer.status === 404 || answer.status === 401) {
        stale();
        return;
      }
      if (!voteSection.hidden) votesTimer = setTimeout(loadVotes, VOTES_EVERY_MS);
    });
  }

  function showVote(open) {
    if (open === !voteSection.hidden) return;
    voteSection.hidden = !open;
    if (open) loadVotes();
    else clearTimeout(votesTimer);
  }

  function toggleDot(button) {
    var voted = button.getAttribute("aria-pressed") === "true";
    button.disabled = true;
    voteError.hidden = true;
    var url = root.dataset.votesUrl + button.dataset.contribution + "/votes";
    call(voted ? "DELETE" : "POST", url).then(function (answer) {
      button.disabled = false;
      if (answer.ok) {
        setVoted(button, !voted);
        if (answer.data && typeof answer.data.dots_left === "number") dots = answer.data.dots_left;
      } else {
        voteError.textContent = detail(answer, text.refused);
        voteError.hidden = false;
      }
      showDots();
    });
  }

  // --- A poll or a words round ----------------------------------------------------------

  var pollSection = document.getElementById("poll");
  var pollForm = document.getElementById("poll-form");
  var pollLegend = document.getElementById("poll-legend");
  var pollChoices = document.getElementById("poll-choices");
  var pollError = document.getElementById("poll-error");
  var pollDone = document.getElementById("poll-done");
  var pollSubmit = document.getElementById("poll-submit");
  var pollRound = null;
  var poll = null;

  function choice(type, value, label, index) {
    var id = "poll-choice-" + index;
    var wrapper = document.createElement("div");
    wrapper.className = "poll-choice";
    var input = document.createElement("input");
    input.type = type;
    input.name = "choice";
    input.id = id;
    input.value = String(value);
    var text = document.createElement("label");
    text.htmlFor = id;
    text.textContent = label;
    wrapper.append(input, text);
    return wrapper;
  }

  function wordField(index) {
    var id = "poll-word-" + index;
    var wrapper = document.createElement("div");
    wrapper.className = "poll-word";
    var label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = format(text.word_label, index);
    var input = document.createElement("input");
    input.type = "text";
    input.id = id;
    input.name = "word";
    input.maxLength = 40;
    wrapper.append(label, input);
    return wrapper;
  }

  function done(message) {
    pollForm.hidden = true;
    pollDone.textContent = message;
    pollDone.hidden = false;
  }

  function showPollForm(data) {
    poll = data;
    pollError.hidden = true;
    pollDone.hidden = true;
    pollForm.hidden = false;
    var fields = [];
    if (data.kind === "words") {
      pollLegend.textContent = format(text.words_help, data.words_left);
      for (var n = 1; n <= data.words_left; n += 1) fields.push(wordField(n));
    } else if (data.poll_mode === "scale") {
      pollLegend.textContent = text.poll_scale;
      for (var value = 1; value <= 5; value += 1) fields.push(choice("radio", value, String(value), value));
    } else {
      var multiple = data.poll_mode === "multiple";
      pollLegend.textContent = !multiple ? text.poll_single
        : data.poll_max_choices ? format(text.poll_multiple_max, data.poll_max_choices) : text.poll_multiple;
      data.options.forEach(function (option, index) {
        var label = inLanguage({ fr: option.label_fr, nl: option.label_nl }, lang);
        fields.push(choice(multiple ? "checkbox" : "radio", option.id, label, index));
      });
    }
    pollChoices.replaceChildren.apply(pollChoices, fields);
    if (data.answered) done(text.answered);
  }

  function showPoll(roundId) {
    if (!pollSection) return; // a closed workshop's page has no form
    pollSection.hidden = roundId === null;
    if (roundId === pollRound) return;
    pollRound = roundId;
    poll = null;
    if (roundId === null) return;
    call("GET", root.dataset.roundsUrl + roundId + "/poll").then(function (answer) {
      if (roundId !== pollRound) return;
      if (answer.ok) showPollForm(answer.data);
      else if (answer.status === 404 || answer.status === 401) stale();
    });
  }

  if (pollForm) pollForm.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!poll || pollSubmit.disabled) return;
    var body;
    var url = root.dataset.roundsUrl + poll.round;
    if (poll.kind === "words") {
      var words = Array.prototype.map.call(pollChoices.querySelectorAll("input"), function (input) {
        return input.value;
      }).filter(function (word) { return word.trim(); });
      body = { words: words };
      url += "/words";
    } else {
      var ticked = Array.prototype.map.call(pollChoices.querySelectorAll("input:checked"), function (input) {
        return Number(input.value);
      });
      body = poll.poll_mode === "scale" ? { value: ticked[0] || null } : { options: ticked };
      url += "/answers";
    }
    pollSubmit.disabled = true;
    pollError.hidden = true;
    call("POST", url, body).then(function (answer) {
      pollSubmit.disabled = false;
      if (answer.ok) {
        if (poll.kind === "words" && answer.data.words_left > 0) {
          showPollForm({ ...poll, words_left: answer.data.words_left });
          pollDone.textContent = text.answer_sent;
          pollDone.hidden = false;
        } else {
          done(text.answered);
        }
        return;
      }
      pollError.textContent = answer.status === 404 || answer.status === 401 ? text.stale : detail(answer, text.refused);
      pollError.hidden = false;
    });
  });

  clock.start();
}
