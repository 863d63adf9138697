// Validates the queries a frontend writes (a search page, a plan browser, a document view, a
// node lookup across types, an upload screen's subscription) against the SDL the server
// serves, with every graphql-js rule: the check code generators (graphql-codegen, Relay) make
// before they generate types. Fragments on several types that select the same field name with
// different types or nullability fail here ("fields conflict"). Prints each failure; exit 1 on
// any. Usage: node validate.mjs HTTP_URL_OF_SDL
import { buildSchema, parse, validate } from "graphql";

const sdl = await (await fetch(process.argv[2])).text();
const schema = buildSchema(sdl);

const documents = {
  searchPage: `query Search($q: String!, $f: SearchFilter, $after: String) {
    search(query: $q, filter: $f, first: 20, after: $after) {
      totalCount
      facets { kind { value count } organization { value count } body { value count }
               year { value count } type { value count } }
      pageInfo { hasNextPage endCursor }
      edges { cursor node {
        score page hitType entityId
        snippet { text highlights { start end } }
        document { id title fileUrl }
        entity { __typename id
          ... on Plan { title kind }
          ... on FocusArea { title }
          ... on Measure { text }
          ... on Case { title number }
        }
      } }
    }
  }`,
  planBrowser: `query Plans($after: String) {
    plans(first: 20, after: $after) { totalCount pageInfo { hasNextPage endCursor }
      edges { node { id title kind
        focusAreas { id title plan { id } measures { id text focusArea { id title } } }
      } }
    }
  }`,
  documentView: `query Doc($id: ID!, $after: String) {
    document(id: $id) { id title filename fileUrl sizeBytes date status pageCount
      pages(first: 10, after: $after) { totalCount pageInfo { hasNextPage endCursor }
        edges { node { number text } } }
      page(number: 1) { number text }
      provenance { field page start end }
      moreLikeThis: appendixOf { id caseNumber }
    }
    moreLikeThis(documentId: $id, first: 5) { totalCount pageInfo { hasNextPage endCursor }
      nodes { score document { id title } } }
  }`,
  anyNode: `query Node($id: ID!) {
    node(id: $id) { __typename id
      ... on Document { title caseNumber }
      ... on Appendix { title caseNumber }
      ... on Plan { title }
      ... on FocusArea { title }
      ... on Case { title }
      ... on IngestRun { state }
      ... on ApiToken { role }
      ... on Meeting { body { id name } }
    }
  }`,
  uploadScreen: `subscription Upload($id: ID!) {
    documentStatus(id: $id) { id status error pageCount }
  }`,
  limits: `query Limits { limits { maxUploadBytes maxFilesPerUpload maxBatch } }`,
};

let failed = 0;
for (const [name, text] of Object.entries(documents)) {
  for (const e of validate(schema, parse(text))) {
    failed++;
    console.log(`${name}: ${e.message}`);
  }
}
console.log(`documents: ${Object.keys(documents).length}, errors: ${failed}`);
process.exit(failed ? 1 : 0);
