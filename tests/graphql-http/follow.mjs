// Follows one graphql-ws subscription until the server ends it and prints every event as
// JSON. Usage: node follow.mjs HTTP_URL QUERY [VARIABLES_JSON]
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const [url, query, variables] = process.argv.slice(2);
const client = createClient({
  url: url.replace(/^http/, "ws"),
  webSocketImpl: WebSocket,
  lazy: true,
  retryAttempts: 0,
});
const events = [];
const end = await new Promise((resolve) => {
  client.subscribe(
    { query, variables: JSON.parse(variables ?? "{}") },
    {
      next: (v) => events.push(v),
      error: (e) => resolve({ error: String(e?.reason ?? e?.message ?? e) }),
      complete: () => resolve({ completed: true }),
    },
  );
});
await client.dispose();
console.log(JSON.stringify({ events, ...end }));
