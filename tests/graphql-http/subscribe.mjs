// Uploads a PDF the way apollo-upload-client does (the GraphQL multipart request) and follows
// it with a graphql-ws subscription until the server ends it; prints what it saw as JSON.
// Usage: node subscribe.mjs HTTP_URL PDF_PATH [TOKEN]
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const [url, pdf, token] = process.argv.slice(2);
const auth = token ? { authorization: `Bearer ${token}` } : {};

const form = new FormData();
form.append(
  "operations",
  JSON.stringify({
    query: "mutation($f: Upload!) { uploadDocument(file: $f) { id status } }",
    variables: { f: null },
  }),
);
form.append("map", JSON.stringify({ 0: ["variables.f"] }));
form.append("0", new Blob([await readFile(pdf)], { type: "application/pdf" }), basename(pdf));
const up = await fetch(url, {
  method: "POST",
  body: form,
  headers: { "apollo-require-preflight": "true", ...auth },
});
const uploaded = await up.json();
const id = uploaded.data?.uploadDocument?.id;
if (!id) {
  console.error(JSON.stringify(uploaded));
  process.exit(1);
}

const client = createClient({
  url: url.replace(/^http/, "ws"),
  webSocketImpl: WebSocket,
  connectionParams: auth,
  lazy: true,
  retryAttempts: 0,
});

// Every event of one subscription until it completes or fails.
function follow(query, variables) {
  return new Promise((resolve) => {
    const events = [];
    client.subscribe(
      { query, variables },
      {
        next: (v) => events.push(v),
        error: (e) => resolve({ events, error: String(e?.message ?? e?.reason ?? JSON.stringify(e)) }),
        complete: () => resolve({ events, completed: true }),
      },
    );
  });
}

const status = await follow(
  "subscription($id: ID!) { documentStatus(id: $id) { id status pageCount } }",
  { id },
);
const missing = await follow(
  "subscription($id: ID!) { documentStatus(id: $id) { status } }",
  { id: "RG9jdW1lbnQ6OTk5OTk5" },
);
await client.dispose();

// A token that is not valid closes the connection before anything is sent.
const stranger = createClient({
  url: url.replace(/^http/, "ws"),
  webSocketImpl: WebSocket,
  connectionParams: { authorization: "Bearer pka_not_a_token" },
  lazy: true,
  retryAttempts: 0,
});
const refused = await new Promise((resolve) => {
  stranger.subscribe(
    { query: "subscription($id: ID!) { documentStatus(id: $id) { status } }", variables: { id } },
    {
      next: (v) => resolve({ next: v }),
      error: (e) => resolve({ closed: e?.code ?? null, reason: e?.reason ?? String(e) }),
      complete: () => resolve({ completed: true }),
    },
  );
});
await stranger.dispose();
console.log(JSON.stringify({ id, status, missing, refused }));
