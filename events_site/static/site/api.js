/* The pages' one way to call /api/ with the session (an ES module, loaded as is: no build).
 *
 * One contract for every page: `api(method, url, options)` resolves with
 * {status, ok, data} whatever the server answered (data is the parsed JSON body, or null
 * when there is none or it is not JSON), and rejects only when the network fails, so that
 * a refusal and an outage never take the same path. Each page decides what a refusal
 * means to its reader; `detail` reads the server's sentence for one.
 *
 * It sends JSON and asks for JSON, with the CSRF token of the page's form when the page
 * has one. Options: `body` (sent as JSON), `headers` (what only some calls need:
 * Idempotency-Key, X-Table-Token, X-Device, If-None-Match) and `cache` (pages that poll
 * live state pass "no-store", so the browser's cache neither answers nor revalidates).
 * The answer also carries `headers` (the response's, for an ETag) and `receivedAt`,
 * the local time its headers arrived, before its body was read (for pages that time
 * the round trip).
 */
export function api(method, url, options = {}) {
  const headers = { Accept: "application/json", ...options.headers };
  const csrf = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (csrf && csrf.value) headers["X-CSRFToken"] = csrf.value;
  const init = { method, credentials: "same-origin", headers };
  if (options.cache) init.cache = options.cache;
  if (options.body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(options.body);
  }
  return fetch(url, init).then((response) => {
    const receivedAt = Date.now();
    // Reading the body can fail too when the connection drops: that rejects, as a
    // network failure; only a body that is not JSON becomes null.
    return response.text().then((body) => ({
      status: response.status,
      ok: response.ok,
      data: parseJson(body),
      headers: response.headers,
      receivedAt,
    }));
  });
}

function parseJson(body) {
  if (!body) return null;
  try {
    return JSON.parse(body);
  } catch {
    return null;
  }
}

/* The same call, for pages whose promise chains show a refusal where they show an
 * outage (the door, the console, the booklet): resolves with the data of a 2xx answer
 * (null for 204), and rejects with an Error whose message is the sentence to show and
 * whose `status` is the answer's (0 offline). The sentences come from the page's own
 * wording, `text`: `network` offline; `signed_out` on 401, or on a 403 that gives no
 * reason (the CSRF check's, once the session is gone); else the server's reason, or
 * `refused`. */
export function apiData(method, url, options, text) {
  return api(method, url, options).then((answer) => {
    if (answer.ok) return answer.data;
    const signedOut = answer.status === 401 || (answer.status === 403 && !detail(answer, ""));
    throw refusal(answer.status, signedOut ? text.signed_out : detail(answer, text.refused));
  }, () => {
    throw refusal(0, text.network);
  });
}

function refusal(status, message) {
  const error = new Error(message);
  error.status = status;
  return error;
}

/* The sentence the server gave with a refusal (django-ninja's `detail`), or `fallback`
 * when it gave none a person can read (a validation list, an empty body). */
export function detail(answer, fallback) {
  const data = answer.data;
  if (data && typeof data.detail === "string" && data.detail) return data.detail;
  return fallback;
}

/* A new Idempotency-Key (a UUID v4) for a write a page may send again. Made from
 * getRandomValues, because randomUUID exists only on https pages and a phone may
 * reach a test site over plain http. */
export function idempotencyKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
  return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
}
