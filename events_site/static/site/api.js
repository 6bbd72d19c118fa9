/* The pages' one way to call /api/ with the session: JSON in and out, the CSRF token in
   its header when the page has one. Resolves with {response, data} (data is {} when the
   body is not JSON) and rejects only when the network fails; each page decides what a
   refusal means to its reader. `extra` holds what only some pages need: their own
   headers (a phone's table token), a cache mode (pages that poll live state must not
   be answered from the browser's cache) and onResponse, handed the response as soon as
   its headers arrive, before its body is read (for pages that time the round trip). */
window.siteApi = function (method, url, body, csrf, extra) {
  "use strict";
  extra = extra || {};
  var headers = { "Accept": "application/json" };
  var own = extra.headers || {};
  Object.keys(own).forEach(function (name) { headers[name] = own[name]; });
  if (csrf) headers["X-CSRFToken"] = csrf;
  var options = { method: method, credentials: "same-origin", headers: headers };
  if (extra.cache) options.cache = extra.cache;
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  return fetch(url, options).then(function (response) {
    if (extra.onResponse) extra.onResponse(response);
    return response.json().catch(function () { return {}; }).then(function (data) {
      return { response: response, data: data };
    });
  });
};
