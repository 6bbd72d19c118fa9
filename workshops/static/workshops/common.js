/* What the console, the projector and the phone share: how each reads the page it runs
 * on, the one French/Dutch fallback of the texts the API sends as {fr, nl}, and how the
 * two screens show the countdown (workshops/screen/_countdown.html).
 */
import { Countdown } from "./timer.js";

/* The page's root element, its wording (the json_script `textId` the view rendered, in
 * the page's language) and its content language (French or Dutch; English readers get
 * French content). Null when the root is missing: the script has nothing to run. */
export function readPage(rootId, textId) {
  const root = document.getElementById(rootId);
  if (!root) return null;
  return { root, text: readJson(textId), lang: root.dataset.lang === "nl" ? "nl" : "fr" };
}

/* A json_script block the view rendered. */
export function readJson(id) {
  return JSON.parse(document.getElementById(id).textContent);
}

/* A content text in `lang`, else in the other language: a round or a question may be
 * written in one language only. The pages' one such fallback. */
export function inLanguage(texts, lang) {
  return texts ? texts[lang] || texts.fr || texts.nl || "" : "";
}

/* The countdown block of both screens: the time left, its phase on the root (which
 * drives the colours), the status line under it, and what screen readers are told. */
export function showCountdown(root, remainingMs, phase, status, text) {
  const countdown = document.getElementById("countdown");
  countdown.textContent = Countdown.format(remainingMs);
  // For tests and tools: the time left, and the local time it was measured at.
  countdown.dataset.remainingMs = String(Math.round(remainingMs));
  countdown.dataset.measuredAt = String(Date.now());
  root.dataset.phase = phase;
  document.getElementById("countdown-status").textContent = status;
  announce(remainingMs, phase, text);
}

/* The moment of the countdown worth saying aloud: each whole minute, the last ten
 * seconds, the end; null in between and while nothing runs. */
export function countdownMoment(remainingMs, phase) {
  if (phase === "ended") return "end";
  if (phase !== "running" && phase !== "last-minute") return null;
  const seconds = Math.max(0, Math.ceil(remainingMs / 1000));
  if (seconds <= 10) return "last-seconds";
  return "minute-" + Math.ceil(seconds / 60);
}

var lastMoment;

/* The polite live region under the countdown speaks when the moment changes, not at
 * every tick (the countdown itself is a role="timer", which stays silent); the first
 * call, on the page's opening, only takes note of where the clock stands. */
function announce(remainingMs, phase, text) {
  const moment = countdownMoment(remainingMs, phase);
  const first = lastMoment === undefined;
  if (moment === lastMoment) return;
  lastMoment = moment;
  if (first || moment === null) return;
  const region = document.getElementById("countdown-announce");
  if (moment === "end") {
    region.textContent = text.announce_end;
  } else if (moment === "last-seconds") {
    region.textContent = text.announce_left.replace("%(time)s", Countdown.format(10000));
  } else {
    const minutes = Math.ceil(remainingMs / 60000);
    region.textContent = text.announce_left.replace("%(time)s", Countdown.format(minutes * 60000));
  }
}
