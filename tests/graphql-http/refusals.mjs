// Sends the requests a server refuses without reading them whole, from Node's own `fetch`
// (undici, what browsers' fetch behaves like here), and prints what the client saw for each:
// the HTTP status and error code, or the network error that hid them. Usage:
//   node refusals.mjs URL MIB   (MIB: how far past the server's upload limit to go)
const url = process.argv[2];
const mib = Number(process.argv[3] ?? 32);
const big = new Uint8Array(mib * 1024 * 1024).fill(0x25); // '%'

function multipart(preflight) {
  const form = new FormData();
  form.append(
    "operations",
    JSON.stringify({
      query: "mutation($f: Upload!) { uploadDocument(file: $f) { id } }",
      variables: { f: null },
    }),
  );
  form.append("map", JSON.stringify({ 0: ["variables.f"] }));
  form.append("0", new Blob([big], { type: "application/pdf" }), "big.pdf");
  const headers = preflight ? { "apollo-require-preflight": "true" } : {};
  return { method: "POST", body: form, headers };
}

function chunked() {
  // A body of unknown length (no Content-Length), as a streamed upload sends it.
  let sent = 0;
  const chunk = new Uint8Array(256 * 1024).fill(0x61);
  const body = new ReadableStream({
    pull(c) {
      if (sent >= big.length) return c.close();
      sent += chunk.length;
      c.enqueue(chunk);
    },
  });
  return {
    method: "POST",
    body,
    duplex: "half",
    headers: { "content-type": "application/json" },
  };
}

const cases = {
  multipart_without_preflight: multipart(false),
  upload_over_limit: multipart(true),
  json_over_limit: {
    method: "POST",
    body: JSON.stringify({ query: "{ __typename }", variables: { x: "a".repeat(big.length) } }),
    headers: { "content-type": "application/json" },
  },
  chunked_json_over_limit: chunked(),
};

const out = {};
for (const [name, init] of Object.entries(cases)) {
  try {
    const res = await fetch(url, init);
    const text = await res.text();
    let code = null;
    try {
      code = JSON.parse(text).errors?.[0]?.extensions?.code ?? null;
    } catch {}
    out[name] = { status: res.status, code };
  } catch (e) {
    out[name] = { error: `${e.message}: ${e.cause?.code ?? e.cause?.message ?? ""}` };
  }
}
console.log(JSON.stringify(out));
