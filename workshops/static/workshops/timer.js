/* Countdown: the one clock the console, the projector and the phones all show.
 *
 * The server holds the truth (GET /api/workshops/{id}/timer). Each screen polls it with
 * If-None-Match, so an unchanged clock costs a 304 with no body, and derives the time
 * left from `ends_at` on the *server's* clock:
 *
 *     offset    = server_now - (local time halfway through the request)
 *     remaining = ends_at - (Date.now() + offset)
 *
 * The offset is taken from the answer with the shortest round trip among the recent
 * ones (a fast answer pins server_now closest to its midpoint), so two screens on
 * different networks and with wrong local clocks still agree to a fraction of a second.
 * A reload loses nothing: everything comes from the server.
 *
 * API (an ES module: `import { Countdown } from "./timer.js"`; it polls through site/api.js):
 *
 *   var clock = new Countdown({
 *     url: "/api/workshops/7/timer",        // required
 *     headers: {"X-Table-Token": "…"},       // optional, sent with every poll
 *     initial: {…timer body…},               // optional, rendered by the page (first paint)
 *     interval: 1000,                        // optional, ms between polls while visible
 *     onChange: function (state, clock) {},  // a new state (round, status, vote…)
 *     onTick: function (remainingMs, phase, clock) {},  // at every second boundary
 *     onError: function (status, detail, clock) {}      // 4xx/5xx (status 0: network)
 *   });
 *   clock.start();              // begin polling and ticking
 *   clock.stop();
 *   clock.refresh();            // poll now (e.g. after the console's own action)
 *   clock.apply(body, sentAt, receivedAt);  // take a timer body from a POST answer
 *   clock.state                 // the last timer body, or null
 *   clock.remainingMs()         // ms left now, on the server's clock
 *   clock.phase()               // "idle" | "planned" | "running" | "last-minute" | "paused" | "ended"
 *   Countdown.format(ms)        // "2:00", "0:59", "1:05:00": whole seconds, rounded up
 */
import { api, detail } from "../site/api.js";

var LAST_MINUTE_MS = 60 * 1000;
// Offset samples kept: a clock corrected by NTP, or a laptop woken from sleep, is
// forgotten after this many fresh samples.
var SAMPLES = 5;
// Every this many ms one poll goes without If-None-Match, to get a fresh server_now.
var RESAMPLE_MS = 30 * 1000;
var HIDDEN_INTERVAL_MS = 5000;

/* ISO 8601 with microseconds ("2026-12-01T10:00:00.123456+00:00"): engines only
 * promise to parse milliseconds. */
function parseIso(value) {
  if (!value) return null;
  var time = Date.parse(String(value).replace(/(\.\d{3})\d+/, "$1"));
  return isNaN(time) ? null : time;
}

export function Countdown(options) {
  if (!options || !options.url) throw new Error("Countdown needs a url");
  this.url = options.url;
  this.headers = options.headers || {};
  this.interval = options.interval || 1000;
  this.onChange = options.onChange || function () {};
  this.onTick = options.onTick || function () {};
  this.onError = options.onError || function () {};
  this.state = null;
  this.etag = null;
  this.offsetMs = 0;
  this.samples = [];
  this.lastSampleAt = 0;
  this.newestSentAt = 0;
  this.running = false;
  this.pollTimer = null;
  this.tickTimer = null;
  this.inFlight = false;
  this.lastPhase = null;
  var self = this;
  this.onVisibility = function () {
    if (!document.hidden && self.running) self.refresh();
  };
  if (options.initial) {
    // The page's own render: its server_now is only as good as the page load was fast,
    // so any polled sample replaces it.
    this.apply(options.initial, null, null);
  }
}

Countdown.LAST_MINUTE_MS = LAST_MINUTE_MS;
Countdown.parseIso = parseIso;

Countdown.format = function (ms) {
  var total = Math.max(0, Math.ceil(ms / 1000));
  var hours = Math.floor(total / 3600);
  var minutes = Math.floor((total % 3600) / 60);
  var seconds = total % 60;
  var ss = (seconds < 10 ? "0" : "") + seconds;
  if (hours) return hours + ":" + (minutes < 10 ? "0" : "") + minutes + ":" + ss;
  return minutes + ":" + ss;
};

Countdown.prototype.start = function () {
  if (this.running) return this;
  this.running = true;
  if (typeof document !== "undefined") {
    document.addEventListener("visibilitychange", this.onVisibility);
  }
  this.tick();
  this.poll();
  return this;
};

Countdown.prototype.stop = function () {
  this.running = false;
  clearTimeout(this.pollTimer);
  clearTimeout(this.tickTimer);
  if (typeof document !== "undefined") {
    document.removeEventListener("visibilitychange", this.onVisibility);
  }
  return this;
};

Countdown.prototype.refresh = function () {
  clearTimeout(this.pollTimer);
  return this.poll();
};

Countdown.prototype.sample = function (serverNow, sentAt, receivedAt) {
  var rtt = receivedAt - sentAt;
  this.samples.push({ rtt: rtt, offset: serverNow - (sentAt + rtt / 2) });
  if (this.samples.length > SAMPLES) this.samples.shift();
  var best = this.samples[0];
  for (var i = 1; i < this.samples.length; i++) {
    if (this.samples[i].rtt < best.rtt) best = this.samples[i];
  }
  this.offsetMs = best.offset;
  this.lastSampleAt = receivedAt;
};

/* Take a timer body (from a poll, a POST answer or the page). `sentAt`/`receivedAt`
 * are the local Date.now() around the request; without them the offset is only
 * guessed if no poll has measured it yet. */
Countdown.prototype.apply = function (body, sentAt, receivedAt) {
  var serverNow = parseIso(body.server_now);
  if (serverNow !== null) {
    if (sentAt != null && receivedAt != null) {
      this.sample(serverNow, sentAt, receivedAt);
    } else if (!this.samples.length) {
      this.offsetMs = serverNow - Date.now();
    }
  }
  // A poll sent before a console's own action may be answered after it: its older
  // state must not undo the action on screen.
  if (sentAt != null) {
    if (sentAt < this.newestSentAt) return;
    this.newestSentAt = sentAt;
  }
  var previous = this.state;
  this.state = body;
  this.endsAt = parseIso(body.ends_at);
  if (!previous || previous.version !== body.version || previous.state !== body.state ||
      previous.workshop_status !== body.workshop_status ||
      previous.vote_open !== body.vote_open || previous.vote_limit !== body.vote_limit ||
      (previous.round && previous.round.id) !== (body.round && body.round.id)) {
    this.onChange(body, this);
  }
  this.tick();
};

Countdown.prototype.remainingMs = function () {
  var state = this.state;
  if (!state) return 0;
  if (state.state === "running") {
    if (this.endsAt === null) return 0;
    return Math.max(0, this.endsAt - (Date.now() + this.offsetMs));
  }
  if (state.state === "paused" || state.state === "planned") {
    return Math.max(0, (state.remaining_s || 0) * 1000);
  }
  return 0;
};

Countdown.prototype.phase = function (remainingMs) {
  var state = this.state ? this.state.state : "idle";
  if (state === "finished") return "ended";
  if (state !== "running") return state;
  var left = remainingMs === undefined ? this.remainingMs() : remainingMs;
  if (left <= 0) return "ended";
  return left <= LAST_MINUTE_MS ? "last-minute" : "running";
};

/* Tell the page the time left now, then again just after the next whole second goes
 * by, so every screen turns its digits at the same instant. */
Countdown.prototype.tick = function () {
  clearTimeout(this.tickTimer);
  if (!this.state) return;  // nothing heard yet: the page keeps what the server rendered
  var left = this.remainingMs();
  var phase = this.phase(left);
  this.lastPhase = phase;
  this.onTick(left, phase, this);
  if (!this.running || this.state.state !== "running" || left <= 0) return;
  var self = this;
  var delay = (left % 1000) + 10;
  this.tickTimer = setTimeout(function () { self.tick(); }, delay);
};

Countdown.prototype.schedule = function () {
  if (!this.running) return;
  var self = this;
  var hidden = typeof document !== "undefined" && document.hidden;
  clearTimeout(this.pollTimer);
  this.pollTimer = setTimeout(function () { self.poll(); },
    hidden ? HIDDEN_INTERVAL_MS : this.interval);
};

Countdown.prototype.poll = function () {
  if (this.inFlight) return Promise.resolve(this.state);
  var self = this;
  var headers = {};
  for (var name in this.headers) headers[name] = this.headers[name];
  var sentAt = Date.now();
  var conditional = this.etag && this.samples.length >= 2 &&
    sentAt - this.lastSampleAt < RESAMPLE_MS;
  if (conditional) headers["If-None-Match"] = this.etag;
  this.inFlight = true;
  // no-store: the browser's own cache must neither answer nor revalidate for us, or a
  // stale server_now would come back with a 200.
  return api("GET", this.url, { headers: headers, cache: "no-store" })
    .then(function (answer) {
      if (answer.status === 304) return self.state;
      if (!answer.ok) {
        self.onError(answer.status, detail(answer, ""), self);
        return self.state;
      }
      self.etag = answer.headers.get("ETag");
      // The round trip ends when the answer arrives, not once its body is parsed.
      self.apply(answer.data, sentAt, answer.receivedAt);
      return answer.data;
    }, function () {
      self.onError(0, "", self);
      return self.state;
    })
    .then(null, function (error) {
      // A page's callback that throws must not stop the clock: the next poll goes on.
      console.error(error);
      return self.state;
    })
    .then(function (state) {
      self.inFlight = false;
      self.schedule();
      return state;
    });
};
