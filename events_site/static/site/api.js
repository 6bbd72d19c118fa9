/* The pages' one way to call /api/ with the session: JSON in and out, the CSRF token in
   its header. Resolves with {response, data} (data is {} when the body is not JSON);
   each page decides what a refusal means to its reader. */
window.siteApi = function (method, url, body, csrf) {
  "use strict";
  var options = {
    method: method,
    credentials: "same-origin",
    headers: { "Accept": "application/json", "X-CSRFToken": csrf }
  };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  return fetch(url, options).then(function (response) {
    return response.json().catch(function () { return {}; }).then(function (data) {
      return { response: response, data: data };
    });
  });
};
