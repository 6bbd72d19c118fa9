/* The door page: camera, handheld scanner and name search, all through the door API.
 *
 * Everything the server says is shown with textContent, never as HTML. The page keeps no
 * ticket: each code goes to POST /api/checkins and the answer decides the banner colour.
 */
import { apiData } from "../site/api.js";

const root = document.getElementById("door");
if (root) door(root);

function door(root) {
  var text = JSON.parse(document.getElementById("door-text").textContent);
  var meeting = Number(root.dataset.meeting);
  var lang = root.dataset.lang;

  var banner = document.getElementById("door-result");
  var bannerTitle = document.getElementById("door-result-title");
  var bannerMessage = document.getElementById("door-result-message");
  var bannerUndo = document.getElementById("door-result-undo");
  var present = document.getElementById("door-present");
  var expected = document.getElementById("door-expected");

  var timeFormat;
  try {
    timeFormat = new Intl.DateTimeFormat(lang, {
      hour: "2-digit", minute: "2-digit", hour12: false, timeZone: root.dataset.timeZone
    });
  } catch {
    timeFormat = new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit" });
  }

  function withLang(url) {
    return url + (url.indexOf("?") < 0 ? "?" : "&") + "lang=" + encodeURIComponent(lang);
  }

  // Answers can arrive out of order (a search sent before an undo, answered after it):
  // each request is numbered, and the counts only move forward.
  var sent = 0;
  var countsFrom = 0;

  function call(method, url, body) {
    var number = ++sent;
    return apiData(method, withLang(url), { body: body }, text).then(function (data) {
      data = data || {};
      data.request = number;
      return data;
    });
  }

  function updateCounts(data) {
    if (data.request < countsFrom) return;
    countsFrom = data.request;
    if (typeof data.present === "number") present.textContent = data.present;
    if (typeof data.expected === "number") expected.textContent = data.expected;
  }

  function show(outcome, title, message, registration) {
    banner.dataset.outcome = outcome;
    bannerTitle.textContent = title;
    bannerMessage.textContent = message;
    bannerUndo.hidden = !registration;
    bannerUndo.dataset.registration = registration || "";
    if (navigator.vibrate) {
      navigator.vibrate(outcome === "checked_in" ? 80 : [60, 60, 60]);
    }
  }

  function showAnswer(data) {
    updateCounts(data);
    var undoable = data.outcome === "checked_in" || data.outcome === "already_checked_in";
    show(data.outcome, text[data.outcome] || data.outcome, data.message,
         undoable ? data.registration : null);
  }

  function showError(error) {
    show("error", text.refused, error.message, null);
  }

  /* --- Scanning: codes are sent in order, one at a time --- */
  var busy = false;
  var queue = Promise.resolve();

  function send(code) {
    busy = true;
    show("pending", text.checking, "", null);
    return call("POST", root.dataset.scanUrl, { secret: code, meeting: meeting })
      .then(showAnswer, showError)
      .then(function () { busy = false; });
  }

  function scan(code) {
    code = (code || "").trim();
    if (!code) return queue;
    queue = queue.then(function () { return send(code); });
    return queue;
  }

  /* The camera sees a held ticket many times a second: a code is sent when it comes into
   * view, not again while it stays there (a gap of less than 3 s counts as staying), so
   * the green answer does not turn into "already checked in" under the person's eyes. */
  var cameraCode = "";
  var cameraSeenAt = 0;

  function cameraSaw(code) {
    var now = Date.now();
    if (code === cameraCode) {
      var stayed = now - cameraSeenAt < 3000;
      cameraSeenAt = now;
      if (stayed) return Promise.resolve();
    }
    if (busy) return Promise.resolve();
    cameraCode = code;
    cameraSeenAt = now;
    return scan(code);
  }

  var codeForm = document.getElementById("door-code-form");
  var codeInput = document.getElementById("door-code");
  codeForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var code = codeInput.value;
    codeInput.value = "";
    scan(code).then(function () { codeInput.focus(); });
  });

  bannerUndo.addEventListener("click", function () {
    var id = bannerUndo.dataset.registration;
    if (!id) return;
    undo(id).then(function () { codeInput.focus(); });
  });

  function checkinUrl(id) {
    return root.dataset.registrationUrl + encodeURIComponent(id) + "/checkin";
  }

  function undo(id) {
    return call("DELETE", checkinUrl(id)).then(showAnswer, showError).then(refreshSearch);
  }

  function manual(id) {
    return call("POST", checkinUrl(id)).then(showAnswer, showError).then(refreshSearch);
  }

  /* --- Search by name --- */
  var searchForm = document.getElementById("door-search-form");
  var searchInput = document.getElementById("door-search");
  var searchStatus = document.getElementById("door-search-status");
  var results = document.getElementById("door-search-results");
  var lastQuery = "";
  var searches = 0;

  function element(tag, className, content) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (content !== undefined) node.textContent = content;
    return node;
  }

  function personRow(person) {
    var item = element("li", "door-person");
    item.dataset.status = person.status;
    var about = element("div", "door-person-about");
    about.appendChild(element("strong", "door-person-name", person.name));
    about.appendChild(element("span", "door-person-organisation",
                              person.organisation + " · " + person.function));
    if (person.checked_in_at) {
      var at = timeFormat.format(new Date(person.checked_in_at));
      about.appendChild(element("span", "door-person-state door-person-present",
        "✓ " + text.checked_in_at.replace("%(time)s", at).replace("%(by)s", person.checked_in_by || "")));
    } else if (person.status !== "confirmed") {
      about.appendChild(element("span", "door-person-state door-person-refused", person.status_label));
    }
    item.appendChild(about);
    if (person.status === "confirmed") {
      var checkedIn = Boolean(person.checked_in_at);
      var button = element("button", checkedIn ? "door-undo" : "door-checkin",
                           checkedIn ? text.undo : text.check_in);
      button.type = "button";
      button.setAttribute("aria-label", (checkedIn ? text.undo : text.check_in) + " – " + person.name);
      button.addEventListener("click", function () {
        button.disabled = true;
        (checkedIn ? undo : manual)(person.registration);
      });
      item.appendChild(button);
    }
    return item;
  }

  function search(query) {
    lastQuery = query;
    var number = ++searches;
    if (query.replace(/\s/g, "").length < 2) {
      results.replaceChildren();
      searchStatus.textContent = query ? text.type_more : "";
      return Promise.resolve();
    }
    var url = root.dataset.searchUrl + "?q=" + encodeURIComponent(query);
    return call("GET", url).then(function (data) {
      if (number !== searches) return;  // a newer search is under way
      updateCounts(data);
      results.replaceChildren.apply(results, data.results.map(personRow));
      searchStatus.textContent = data.results.length ? "" : text.nobody;
    }, function (error) {
      if (number === searches) searchStatus.textContent = error.message;
    });
  }

  function refreshSearch() {
    if (lastQuery) return search(lastQuery);
  }

  var searchTimer = null;
  searchInput.addEventListener("input", function () {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(function () { search(searchInput.value.trim()); }, 250);
  });
  searchForm.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(searchTimer);
    search(searchInput.value.trim());
  });

  /* --- Camera: BarcodeDetector where the browser has one, jsQR otherwise --- */
  var video = document.getElementById("door-video");
  var startButton = document.getElementById("door-camera-start");
  var stopButton = document.getElementById("door-camera-stop");
  var cameraStatus = document.getElementById("door-camera-status");
  var stream = null;
  var timer = null;
  var canvas = document.createElement("canvas");
  var context = canvas.getContext("2d", { willReadFrequently: true });

  function detectorFor() {
    if (!("BarcodeDetector" in window)) return Promise.resolve(null);
    return window.BarcodeDetector.getSupportedFormats().then(function (formats) {
      return formats.indexOf("qr_code") >= 0 ? new window.BarcodeDetector({ formats: ["qr_code"] }) : null;
    }, function () { return null; });
  }

  function readWithJsQR() {
    var width = video.videoWidth;
    var height = video.videoHeight;
    if (!width || !height || typeof window.jsQR !== "function") return Promise.resolve(null);
    var scale = Math.min(1, 640 / Math.max(width, height));
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    var image = context.getImageData(0, 0, canvas.width, canvas.height);
    var found = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
    return Promise.resolve(found ? found.data : null);
  }

  function loop(read) {
    timer = setTimeout(function () {
      if (!stream) return;
      read().then(function (code) {
        if (code) return cameraSaw(code);
      }).catch(function () {}).then(function () { if (stream) loop(read); });
    }, 150);
  }

  function stopCamera() {
    clearTimeout(timer);
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    stream = null;
    video.hidden = true;
    stopButton.hidden = true;
    startButton.hidden = false;
    cameraStatus.textContent = "";
  }

  startButton.addEventListener("click", function () {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      cameraStatus.textContent = text.camera_unavailable;
      return;
    }
    cameraStatus.textContent = text.camera_starting;
    detectorFor().then(function (detector) {
      if (!detector && typeof window.jsQR !== "function") {
        cameraStatus.textContent = text.camera_no_decoder;
        return;
      }
      return navigator.mediaDevices.getUserMedia({
        video: { facingMode: { ideal: "environment" } }, audio: false
      }).then(function (media) {
        stream = media;
        video.srcObject = media;
        video.hidden = false;
        startButton.hidden = true;
        stopButton.hidden = false;
        cameraStatus.textContent = text.camera_on;
        return video.play().then(function () {
          loop(detector ? function () {
            return detector.detect(video).then(function (codes) {
              return codes.length ? codes[0].rawValue : null;
            });
          } : readWithJsQR);
        });
      });
    }).catch(function () {
      stopCamera();
      cameraStatus.textContent = text.camera_unavailable;
    });
  });
  stopButton.addEventListener("click", stopCamera);
  document.addEventListener("visibilitychange", function () {
    if (document.hidden) stopCamera();
  });
}
