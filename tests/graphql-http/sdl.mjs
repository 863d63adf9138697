// Fetches the SDL the server serves at the URL given and builds a schema from it, as code
// generators reading a schema file do: exit 0 and the number of types when it builds.
import { buildSchema } from "graphql";

const res = await fetch(process.argv[2]);
if (res.status !== 200) {
  console.error(`status ${res.status}`);
  process.exit(1);
}
const schema = buildSchema(await res.text());
console.log(`types: ${Object.keys(schema.getTypeMap()).length}`);
