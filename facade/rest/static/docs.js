// /docs (facade/rest/docs.py): Swagger UI over /openapi.json. Outside sandbox mode the document
// needs a client token: the page asks for one, keeps it in this tab's sessionStorage only, and
// hands it to Swagger UI's Authorize, so "Try it out" sends it. Nothing is loaded from elsewhere.
(() => {
  "use strict";

  const STORAGE_KEY = "smsc-facade.docs.token";
  const SCHEME = "bearer"; // the security scheme of /openapi.json
  const root = document.getElementById("swagger-ui");
  const form = document.getElementById("token-form");
  const input = document.getElementById("token");
  const message = document.getElementById("token-message");
  const specUrl = new URL(root.dataset.spec, window.location.href).href;

  const storage = {
    get: () => window.sessionStorage.getItem(STORAGE_KEY) || "",
    set: (token) => window.sessionStorage.setItem(STORAGE_KEY, token),
    clear: () => window.sessionStorage.removeItem(STORAGE_KEY),
  };

  // The document, or null when the service wants a (valid) token first.
  async function fetchSpec(token) {
    const headers = { Accept: "application/json" };
    if (token) headers.Authorization = `Bearer ${token}`;
    const response = await fetch(specUrl, { headers, credentials: "omit", cache: "no-store" });
    if (response.status === 401 || response.status === 403) return null;
    if (!response.ok) throw new Error(`${specUrl} answered ${response.status}`);
    return response.json();
  }

  function ask(text) {
    message.textContent = text;
    form.hidden = false;
    input.focus();
  }

  // Swagger UI's Authorize dialog changes or forgets the token for this tab too.
  const KeepToken = () => ({
    statePlugins: {
      auth: {
        wrapActions: {
          authorize: (action) => (payload) => {
            const value = payload && payload[SCHEME] && payload[SCHEME].value;
            if (value) storage.set(value);
            return action(payload);
          },
          logout: (action) => (names) => {
            if (Array.isArray(names) && names.includes(SCHEME)) storage.clear();
            return action(names);
          },
        },
      },
    },
  });

  function show(spec, token) {
    form.hidden = true;
    const ui = window.SwaggerUIBundle({
      spec,
      dom_id: "#swagger-ui",
      deepLinking: true,
      validatorUrl: null, // never ask validator.swagger.io
      persistAuthorization: false, // the token stays in sessionStorage, not localStorage
      displayRequestDuration: true,
      plugins: [KeepToken],
      onComplete: () => {
        if (token) ui.preauthorizeApiKey(SCHEME, token);
      },
    });
    window.ui = ui;
  }

  async function start(token) {
    try {
      const spec = await fetchSpec(token);
      if (spec === null) {
        storage.clear();
        ask(
          token
            ? "The service refused this token: give a valid client token."
            : "This service shows its API to its clients: give a client token " +
                "(an operator issues one with `facade token issue NAME`).",
        );
        return;
      }
      if (token) storage.set(token);
      show(spec, token);
    } catch (error) {
      ask(`The API's description could not be loaded: ${error.message}`);
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const token = input.value.trim();
    input.value = "";
    if (token) start(token);
  });

  start(storage.get());
})();
