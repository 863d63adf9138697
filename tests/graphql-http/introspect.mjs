// Sends graphql-js's standard introspection query (what GraphiQL, graphql-codegen, IDE plugins
// and Rover send) to the URL given, and builds a client schema from the answer: exit 0 and
// the number of types when both work.
import { buildClientSchema, getIntrospectionQuery } from "graphql";

const url = process.argv[2];
const query = getIntrospectionQuery({
  descriptions: true,
  specifiedByUrl: true,
  directiveIsRepeatable: true,
  schemaDescription: true,
  inputValueDeprecation: true,
});
const res = await fetch(url, {
  method: "POST",
  headers: { "content-type": "application/json", accept: "application/graphql-response+json" },
  body: JSON.stringify({ query }),
});
const body = await res.json();
if (res.status !== 200 || body.errors) {
  console.error(`status ${res.status}: ${JSON.stringify(body.errors ?? body)}`);
  process.exit(1);
}
const schema = buildClientSchema(body.data);
console.log(`types: ${Object.keys(schema.getTypeMap()).length}`);
