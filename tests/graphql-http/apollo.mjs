// Apollo Client 4 as a frontend uses it: an upload through apollo-upload-client's link, the
// upload followed over graphql-ws until it is INDEXED, a search page paged with
// relayStylePagination (facets fed back as filters), and the document's file fetched at a
// range. Prints a summary as JSON. Usage: node apollo.mjs HTTP_URL PDF_PATH
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { ApolloClient, ApolloLink, InMemoryCache, gql } from "@apollo/client";
import { relayStylePagination, getMainDefinition } from "@apollo/client/utilities";
import { GraphQLWsLink } from "@apollo/client/link/subscriptions";
import UploadHttpLink from "apollo-upload-client/UploadHttpLink.mjs";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { firstValueFrom, lastValueFrom, toArray } from "rxjs";

const [url, pdf] = process.argv.slice(2);
const ws = createClient({
  url: url.replace(/^http/, "ws"),
  webSocketImpl: WebSocket,
  lazy: true,
  retryAttempts: 0,
});
const link = ApolloLink.split(
  ({ query }) => {
    const d = getMainDefinition(query);
    return d.kind === "OperationDefinition" && d.operation === "subscription";
  },
  new GraphQLWsLink(ws),
  new UploadHttpLink({ uri: url, headers: { "apollo-require-preflight": "true" } }),
);
const client = new ApolloClient({
  link,
  cache: new InMemoryCache({
    typePolicies: { Query: { fields: { search: relayStylePagination(["query", "filter"]) } } },
  }),
});

const file = new File([await readFile(pdf)], basename(pdf), { type: "application/pdf" });
const up = await client.mutate({
  mutation: gql`mutation Upload($file: Upload!) { uploadDocument(file: $file) { id status fileUrl } }`,
  variables: { file },
});
const doc = up.data.uploadDocument;

const statuses = await lastValueFrom(
  client
    .subscribe({
      query: gql`subscription Status($id: ID!) { documentStatus(id: $id) { id status } }`,
      variables: { id: doc.id },
    })
    .pipe(toArray()),
);

const SEARCH = gql`query Search($query: String!, $filter: SearchFilter, $after: String) {
  search(query: $query, filter: $filter, first: 2, after: $after) {
    totalCount
    facets { kind { value count } year { value count } type { value count } }
    pageInfo { hasNextPage endCursor }
    edges { cursor node { page hitType document { id title fileUrl }
      snippet { text highlights { start end } } } }
  }
}`;
const first = await client.query({ query: SEARCH, variables: { query: "samhandling" } });
const facets = first.data.search.facets;
const filter = { kind: [facets.kind[0].value], hitType: [facets.type[0].value] };
const filtered = await client.query({ query: SEARCH, variables: { query: "samhandling", filter } });
const more = await client.query({
  query: SEARCH,
  variables: { query: "samhandling", after: first.data.search.pageInfo.endCursor },
});
// fetchMore merges the next page into the cached list (relayStylePagination).
const obs = client.watchQuery({ query: SEARCH, variables: { query: "samhandling" } });
await firstValueFrom(obs);
await obs.fetchMore({ variables: { after: first.data.search.pageInfo.endCursor } });
const merged = client.readQuery({ query: SEARCH, variables: { query: "samhandling" } });

const origin = new URL(url).origin;
const range = await fetch(origin + doc.fileUrl + "#page=2", { headers: { range: "bytes=0-4" } });
const head = new TextDecoder().decode(await range.arrayBuffer());

await ws.dispose();
console.log(
  JSON.stringify({
    statuses: statuses.map((s) => s.data?.documentStatus?.status),
    total: first.data.search.totalCount,
    firstPage: first.data.search.edges.length,
    filteredTotal: filtered.data.search.totalCount,
    filterCount: Math.min(facets.kind[0].count, facets.type[0].count),
    nextPage: more.data.search.edges.length,
    merged: merged.search.edges.length,
    rangeStatus: range.status,
    head,
  }),
);
