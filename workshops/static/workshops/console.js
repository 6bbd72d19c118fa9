/* The facilitator's console: the live timer, the board, transcription and sorting.
 *
 * Every write goes to the workshops API with the session and its CSRF token; the page
 * keeps no state the server does not have, so a reload (or a second facilitator on
 * another laptop) shows the same thing. The countdown is the shared `Countdown`
 * (timer.js). Everything a person typed is put in the page with textContent, never as
 * HTML; new post-its are clones of the <template> the server rendered.
 */
import { apiData } from "../site/api.js";
import { inLanguage, readJson, readPage } from "./common.js";
import { Countdown } from "./timer.js";

const page = readPage("console", "console-text");
if (page) facilitate(page.root, page.text, page.lang);

function facilitate(root, text, lang) {
  var config = readJson("console-config");
  var workshopUrl = config.api + "workshops/" + config.workshop;
  var statusLine = document.getElementById("console-status");

  var NEW_POSTITS_MS = 3000;
  var FULL_BOARD_MS = 15000;

  function say(message, isError) {
    statusLine.textContent = message;
    statusLine.dataset.kind = isError ? "error" : "ok";
  }

  // The board is polled: the browser's cache must never answer for it.
  function call(method, url, body) {
    return apiData(method, url, { body: body, cache: "no-store" }, text);
  }

  function report(error) {
    say(error.message, true);
  }

  function asId(value) {
    return value ? Number(value) : null;
  }

  /* --- The timer ------------------------------------------------------------------ */

  var timerBox = document.getElementById("timer");
  var display = document.getElementById("timer-display");
  var roundLine = document.getElementById("timer-round");
  var questionLine = document.getElementById("timer-question");
  var stateLine = document.getElementById("timer-state");
  var voteToggle = document.getElementById("vote-toggle");
  var closeButton = document.getElementById("workshop-close");
  var timerButtons = root.querySelectorAll("[data-action], [data-start-round]");
  var voteOpen = config.vote_open;

  // Which buttons mean something in each state; the server still decides.
  var ALLOWED = {
    idle: ["start", "next"],
    planned: ["start", "extend", "next", "reset"],
    running: ["pause", "extend", "finish", "next", "reset"],
    paused: ["resume", "extend", "finish", "next", "reset"],
    finished: ["next", "reset"]
  };

  function showVote(isOpen) {
    voteOpen = isOpen;
    voteToggle.textContent = isOpen ? text.vote_open : text.vote_closed;
    voteToggle.setAttribute("aria-pressed", isOpen ? "true" : "false");
  }

  // The plan's line of the round on the clock says its live state; the round it
  // replaced, once started, is over.
  var shownRound = null;
  function showRoundState(round, state) {
    function mark(id, value) {
      var line = document.querySelector("#rounds-" + id + " .round-state");
      if (!line) return;
      line.dataset.state = value;
      line.textContent = text.round_states[value] || "";
    }
    if (shownRound && (!round || shownRound.id !== round.id) && shownRound.state !== "planned") {
      mark(shownRound.id, "finished");
    }
    if (round) mark(round.id, state);
    shownRound = round ? { id: round.id, state: state } : null;
  }

  function showState(state) {
    showRoundState(state.round, state.state);
    roundLine.textContent = state.round ? inLanguage(state.round.title, lang) : text.no_round;
    questionLine.textContent = state.round && state.round.question ?
      inLanguage(state.round.question.text, lang) : "";
    showVote(state.vote_open);
    var closed = state.workshop_status === "closed";
    root.dataset.status = state.workshop_status;
    var allowed = ALLOWED[state.state] || [];
    timerButtons.forEach(function (button) {
      var action = button.dataset.action;
      button.disabled = closed || (action !== undefined && allowed.indexOf(action) < 0);
    });
    voteToggle.disabled = closed;
    closeButton.disabled = closed;
  }

  var clock = new Countdown({
    url: workshopUrl + "/timer",
    initial: readJson("console-timer"),
    onChange: showState,
    onTick: function (remainingMs, phase) {
      display.textContent = Countdown.format(remainingMs);
      timerBox.dataset.phase = phase;
      stateLine.textContent = text.states[phase] || "";
    },
    onError: function (status, detail) {
      say(status === 401 ? text.signed_out : (detail || text.network), true);
    }
  });
  showState(clock.state);
  clock.start();

  timerButtons.forEach(function (button) {
    button.addEventListener("click", function () {
      var body = {
        action: button.dataset.action || "start",
        seconds: button.dataset.seconds ? Number(button.dataset.seconds) : null,
        round: asId(button.dataset.startRound)
      };
      var sentAt = Date.now();
      call("POST", workshopUrl + "/timer", body).then(function (state) {
        clock.apply(state, sentAt, Date.now());
        say("");
      }, report);
    });
  });

  voteToggle.addEventListener("click", function () {
    // What was asked, not `!voteOpen` once answered: a poll answered meanwhile may
    // already have shown the new state, and flipping it again would show the opposite.
    var open = !voteOpen;
    call("POST", workshopUrl + "/vote", { open: open }).then(function () {
      showVote(open);
      clock.refresh();
      refreshBoard();
    }, report);
  });

  closeButton.addEventListener("click", function () {
    if (!window.confirm(text.confirm_close)) return;
    call("POST", workshopUrl + "/close").then(function () {
      window.location.reload();
    }, report);
  });

  /* --- The board -------------------------------------------------------------------- */

  var board = document.getElementById("board");
  var hiddenItems = document.getElementById("hidden-items");
  var hiddenCount = document.getElementById("hidden-count");
  var template = document.getElementById("postit-template");

  function postit(id) {
    return root.querySelector('.postit[data-contribution="' + Number(id) + '"]');
  }

  function lastId() {
    var last = 0;
    root.querySelectorAll(".postit[data-contribution], [data-merged]").forEach(function (el) {
      last = Math.max(last, Number(el.dataset.contribution || el.dataset.merged) || 0);
    });
    return last;
  }

  function columnFor(item) {
    var section = board.querySelector(
      '.board-question[data-question="' + (item.question ? Number(item.question) : "") + '"]'
    ) || board.querySelector(".board-question-loose");
    return section.querySelector(
      '.board-column[data-orientation="' + (item.orientation ? Number(item.orientation) : "") +
      '"] .board-items'
    ) || section.querySelector('.board-column[data-orientation=""] .board-items');
  }

  function fill(el, item) {
    el.dataset.contribution = item.id;
    el.classList.toggle("postit-phone", item.source === "phone");
    el.querySelector(".postit-text").textContent = item.text;
    el.querySelector(".postit-objective").hidden = !item.objective;
    el.querySelector(".postit-objective-text").textContent = item.objective || "";
    el.querySelector(".postit-table").textContent = item.table_name || "";
    el.querySelector(".postit-author").textContent = item.author || "";
    el.querySelector(".postit-vote-count").textContent = item.votes || 0;
    el.querySelector(".postit-move").value = item.orientation ? String(item.orientation) : "";
    el.querySelector(".postit-hide").textContent = item.hidden ? text.unhide : text.hide;
  }

  /* Put the post-it where the server says it belongs, in the order it was posted. */
  function place(item) {
    var el = postit(item.id);
    if (item.merged_into) {
      if (el) el.remove();
      countHidden();
      return;
    }
    if (!el) el = template.content.firstElementChild.cloneNode(true);
    fill(el, item);
    var target = item.hidden ? hiddenItems : columnFor(item);
    var before = null;
    for (var i = 0; i < target.children.length; i++) {
      var other = target.children[i];
      if (other !== el && Number(other.dataset.contribution) > item.id) { before = other; break; }
    }
    if (el.parentNode !== target || el.nextElementSibling !== before) {
      target.insertBefore(el, before);
    }
    countHidden();
  }

  function countHidden() {
    hiddenCount.textContent = hiddenItems.children.length;
  }

  /* Merged post-its hang under the one they were merged into, with a way back. */
  function showMerged(items) {
    root.querySelectorAll(".postit-merged").forEach(function (list) {
      list.textContent = "";
    });
    items.forEach(function (item) {
      var parent = item.merged_into && postit(item.merged_into);
      if (!parent) return;
      var line = document.createElement("li");
      line.dataset.merged = item.id;
      var words = document.createElement("span");
      words.className = "postit-merged-text";
      words.textContent = item.text;
      var undo = document.createElement("button");
      undo.type = "button";
      undo.className = "postit-unmerge";
      undo.textContent = text.unmerge;
      line.append(words, " ", undo);
      parent.querySelector(".postit-merged").appendChild(line);
    });
  }

  function itemsOf(data) {
    return Array.isArray(data) ? data : (data && data.items) || [];
  }

  function pollNew() {
    return call("GET", workshopUrl + "/contributions?since=" + lastId()).then(function (data) {
      itemsOf(data).forEach(place);
    });
  }

  function refreshBoard() {
    return call("GET", workshopUrl + "/contributions").then(function (data) {
      var items = itemsOf(data);
      items.forEach(place);
      showMerged(items);
    });
  }

  function every(ms, job) {
    function run() {
      var wait = document.hidden ? ms * 3 : ms;
      job().catch(function (error) {
        if (error.status === 401 || error.status === 403) say(error.message, true);
      }).then(function () { window.setTimeout(run, wait); });
    }
    window.setTimeout(run, ms);
  }
  every(NEW_POSTITS_MS, pollNew);
  every(FULL_BOARD_MS, refreshBoard);

  function update(id, changes, done) {
    return call("PATCH", config.api + "contributions/" + Number(id), changes).then(function (item) {
      place(item);
      if (done) say(done);
      return item;
    }, report);
  }

  function move(id, orientation) {
    return update(id, { orientation: asId(orientation) }, text.moved);
  }

  root.addEventListener("change", function (event) {
    var select = event.target.closest(".postit-move");
    if (!select) return;
    var el = select.closest(".postit");
    move(el.dataset.contribution, select.value).then(function () {
      select.focus();
    });
  });

  root.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button) return;
    var el = button.closest(".postit");
    if (button.classList.contains("postit-hide")) {
      update(el.dataset.contribution, { hidden: el.parentNode !== hiddenItems }).then(function () {
        button.focus();
      });
    } else if (button.classList.contains("postit-merge")) {
      openMerge(el);
    } else if (button.classList.contains("postit-unmerge")) {
      var line = button.closest("[data-merged]");
      update(line.dataset.merged, { merged_into: null }).then(refreshBoard);
    }
  });

  // Drag and drop onto a column; the "Move to" list on each post-it does the same by keyboard.
  board.addEventListener("dragstart", function (event) {
    var el = event.target.closest && event.target.closest(".postit");
    if (!el) return;
    event.dataTransfer.setData("text/plain", el.dataset.contribution);
    event.dataTransfer.effectAllowed = "move";
    el.classList.add("postit-dragging");
  });
  board.addEventListener("dragend", function (event) {
    var el = event.target.closest && event.target.closest(".postit");
    if (el) el.classList.remove("postit-dragging");
    board.querySelectorAll(".drop-target").forEach(function (column) {
      column.classList.remove("drop-target");
    });
  });
  board.addEventListener("dragover", function (event) {
    var column = event.target.closest(".board-column");
    if (!column) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    column.classList.add("drop-target");
  });
  board.addEventListener("dragleave", function (event) {
    var column = event.target.closest(".board-column");
    if (column && !column.contains(event.relatedTarget)) column.classList.remove("drop-target");
  });
  board.addEventListener("drop", function (event) {
    var column = event.target.closest(".board-column");
    if (!column) return;
    event.preventDefault();
    column.classList.remove("drop-target");
    var id = event.dataTransfer.getData("text/plain");
    if (id) move(id, column.dataset.orientation);
  });

  /* --- Merging duplicates ----------------------------------------------------------- */

  var dialog = document.getElementById("merge-dialog");
  var mergeTarget = document.getElementById("merge-target");
  var mergeFrom = null;

  function openMerge(el) {
    mergeTarget.textContent = "";
    board.querySelectorAll(".postit").forEach(function (other) {
      if (other === el) return;
      var option = document.createElement("option");
      option.value = other.dataset.contribution;
      var words = other.querySelector(".postit-text").textContent;
      option.textContent = words.length > 80 ? words.slice(0, 79) + "…" : words;
      mergeTarget.appendChild(option);
    });
    if (!mergeTarget.options.length) {
      say(text.merge_nothing, true);
      return;
    }
    mergeFrom = el;
    document.getElementById("merge-source").textContent =
      el.querySelector(".postit-text").textContent;
    dialog.returnValue = "";
    dialog.showModal();
    mergeTarget.focus();
  }

  dialog.addEventListener("close", function () {
    var from = mergeFrom;
    mergeFrom = null;
    if (!from) return;
    if (dialog.returnValue !== "merge") {
      from.querySelector(".postit-merge").focus();
      return;
    }
    var target = mergeTarget.value;
    update(from.dataset.contribution, { merged_into: asId(target) }).then(function () {
      return refreshBoard();
    }).then(function () {
      var kept = postit(target);
      if (kept) kept.focus();
    });
  });

  /* --- Transcription: type, Enter, next ----------------------------------------------- */

  var form = document.getElementById("transcribe-form");
  var field = document.getElementById("transcribe-text");
  var objective = document.getElementById("transcribe-objective");
  var author = document.getElementById("transcribe-author");

  function transcribe() {
    var body = {
      text: field.value,
      objective: objective.value,
      author: author.value,
      table: asId(document.getElementById("transcribe-table").value),
      question: asId(document.getElementById("transcribe-question").value)
    };
    // The field is free at once for the next post-it; a refusal puts the text back.
    field.value = objective.value = author.value = "";
    field.focus();
    call("POST", workshopUrl + "/contributions", body).then(function (item) {
      place(item);
      say(text.transcribed);
    }, function (error) {
      report(error);
      if (!field.value) {
        field.value = body.text;
        objective.value = body.objective;
        author.value = body.author;
      }
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    transcribe();
  });
  field.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      transcribe();
    }
  });

  /* --- Suggested grouping ------------------------------------------------------------ */

  var suggestions = document.getElementById("suggestions");
  var suggestionList = document.getElementById("suggestions-list");

  function showSuggestions(data) {
    suggestionList.textContent = "";
    itemsOf(data).forEach(function (suggestion) {
      var el = postit(suggestion.contribution);
      var orientation = config.orientations[suggestion.orientation];
      if (!el || !orientation) return;
      var line = document.createElement("li");
      var words = document.createElement("span");
      words.className = "suggestion-text";
      words.textContent = el.querySelector(".postit-text").textContent;
      var arrow = document.createElement("span");
      arrow.setAttribute("aria-hidden", "true");
      arrow.textContent = " → ";
      var title = document.createElement("strong");
      title.textContent = inLanguage(orientation, lang);
      line.append(words, arrow, title, " ");
      // Confident suggestions were right nine times in ten; the others are a hint.
      if (!suggestion.confident) {
        var unsure = document.createElement("span");
        unsure.className = "muted";
        unsure.textContent = "(" + text.unsure + ") ";
        line.append(unsure);
      }
      [["accept", true], ["reject", false]].forEach(function (choice) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "button";
        button.textContent = text[choice[0]];
        button.addEventListener("click", function () {
          call("POST", config.api + "contributions/" + Number(suggestion.contribution) +
            "/suggestion", { orientation: suggestion.orientation, accept: choice[1] }
          ).then(function () {
            line.remove();
            say(choice[1] ? text.suggestion_accepted : text.suggestion_rejected);
            if (choice[1]) refreshBoard();
          }, report);
        });
        line.append(button, " ");
      });
      suggestionList.appendChild(line);
    });
    emptyLine(suggestionList, text.no_suggestions);
  }

  function emptyLine(list, message) {
    if (list.children.length) return;
    var empty = document.createElement("li");
    empty.className = "muted";
    empty.textContent = message;
    list.appendChild(empty);
  }

  /* Two post-its that say the same thing, in either language: both are marked on the
     board, and one button merges the later into the earlier. */
  var sameIdeaList = document.getElementById("same-ideas-list");

  function showSameIdeas(data) {
    sameIdeaList.textContent = "";
    board.querySelectorAll(".postit-same-idea").forEach(function (badge) {
      badge.remove();
    });
    itemsOf(data).forEach(function (pair) {
      var kept = postit(pair.contributions[0]);
      var merged = postit(pair.contributions[1]);
      if (!kept || !merged) return;
      [kept, merged].forEach(function (el) {
        var badge = document.createElement("span");
        badge.className = "postit-same-idea";
        badge.textContent = text.same_idea;
        el.querySelector(".postit-text").after(badge);
      });
      var line = document.createElement("li");
      var first = document.createElement("span");
      first.textContent = kept.querySelector(".postit-text").textContent;
      var second = document.createElement("span");
      second.textContent = merged.querySelector(".postit-text").textContent;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button";
      button.textContent = text.merge_pair;
      button.addEventListener("click", function () {
        var target = { merged_into: Number(kept.dataset.contribution) };
        update(merged.dataset.contribution, target, text.pair_merged)
          .then(refreshBoard).then(loadSuggestions);
      });
      line.append(first, " ≈ ", second, " ", button);
      sameIdeaList.appendChild(line);
    });
    emptyLine(sameIdeaList, text.no_same_ideas);
  }

  function loadSuggestions() {
    call("GET", workshopUrl + "/suggestions").then(function (data) {
      suggestions.hidden = false;
      showSuggestions(data);
      return call("GET", workshopUrl + "/same-ideas").then(showSameIdeas);
    }).catch(function (error) {
      // No endpoint (or not for this workshop): the panel stays out of the way.
      if (error.status === 404) suggestions.hidden = true;
      else report(error);
    });
  }
  document.getElementById("suggestions-refresh").addEventListener("click", loadSuggestions);
  loadSuggestions();

  /* --- Suggested orientations --------------------------------------------------------
     For a workshop without orientations: groups of its post-its, each with a title in
     French and Dutch to accept as it is, rename, or discard. An accepted one changes the
     board's columns and the plan, which the server renders: the page is reloaded, and
     what was done is said, and its column focused, once it is back. */

  var acceptedKey = "console-accepted-" + config.workshop;
  var proposals = document.getElementById("proposals");
  if (proposals) showProposalsPanel();
  sayAccepted();

  function sayAccepted() {
    var accepted = JSON.parse(window.sessionStorage.getItem(acceptedKey) || "null");
    if (!accepted) return;
    window.sessionStorage.removeItem(acceptedKey);
    var heading = root.querySelector(
      '.board-column[data-orientation="' + Number(accepted.id) + '"] h4'
    );
    if (heading) heading.focus();
    say(text.proposal_accepted.replace("%(title)s", accepted.title));
  }

  function showProposalsPanel() {
    var list = document.getElementById("proposals-list");
    var template = document.getElementById("proposal-template");
    var makeButton = document.getElementById("proposals-make");
    var proposalsUrl = workshopUrl + "/orientation-proposals";

    function showProposal(proposal, n) {
      var line = template.content.firstElementChild.cloneNode(true);
      var form = line.querySelector("form");
      line.querySelector("legend").textContent = text.proposal_legend
        .replace("%(n)s", String(n + 1))
        .replace("%(count)s", String(proposal.contributions.length));
      form.elements.title_fr.value = proposal.title_fr;
      form.elements.title_nl.value = proposal.title_nl;
      var postits = line.querySelector(".proposal-postits");
      proposal.contributions.forEach(function (id) {
        var el = postit(id);
        if (!el) return;
        var item = document.createElement("li");
        item.textContent = el.querySelector(".postit-text").textContent;
        postits.appendChild(item);
      });
      var url = config.api + "orientation-proposals/" + Number(proposal.id);
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var titles = { title_fr: form.elements.title_fr.value, title_nl: form.elements.title_nl.value };
        call("POST", url + "/accept", titles).then(function (orientation) {
          var accepted = { id: orientation.id, title: orientation.title };
          window.sessionStorage.setItem(acceptedKey, JSON.stringify(accepted));
          window.location.reload();
        }, report);
      });
      line.querySelector(".proposal-discard").addEventListener("click", function () {
        call("DELETE", url).then(function () {
          var next = line.nextElementSibling || line.previousElementSibling;
          line.remove();
          say(text.proposal_discarded);
          emptyLine(list, text.no_proposals);
          var target = (next && next.querySelector("input")) || makeButton;
          if (target) target.focus();
        }, report);
      });
      list.appendChild(line);
    }

    function showProposals(data) {
      list.textContent = "";
      itemsOf(data).forEach(showProposal);
      emptyLine(list, text.no_proposals);
    }

    if (makeButton) {
      makeButton.addEventListener("click", function () {
        var pending = list.querySelectorAll(".proposal").length;
        var replace = text.proposals_replace.replace("%(count)s", String(pending));
        if (pending && !window.confirm(replace)) return;
        call("POST", proposalsUrl).then(function (data) {
          showProposals(data);
          say(text.proposals_made);
          var first = list.querySelector("input");
          if (first) first.focus();
        }, report);
      });
    }
    call("GET", proposalsUrl).then(showProposals, report);
  }

  /* --- The plan's plain forms ------------------------------------------------------- */

  root.querySelectorAll("form[data-confirm]").forEach(function (plan) {
    plan.addEventListener("submit", function (event) {
      if (!window.confirm(plan.dataset.confirm)) event.preventDefault();
    });
  });
}
