// The documents of a Relay frontend (search page, plan browser with pagination, a document's
// pages, refetchable ingest runs and tokens, an upload screen's subscription), compiled by
// relay-compiler against the served SDL in tests/tests/frontend.rs: Relay checks the Node
// interface, @refetchable, @connection and that fields of one name merge across types.
import { graphql } from "react-relay";

export const search = graphql`
  query queriesSearchQuery($q: String!, $f: SearchFilter) {
    search(query: $q, filter: $f, first: 20) {
      totalCount
      facets { year { value count } type { value count } kind { value count } }
      edges { node { score page hitType snippet { text highlights { start end } }
        document { id title fileUrl }
        entity { __typename id ... on Plan { title } ... on FocusArea { title } ... on Case { title } ... on Measure { text } } } }
    }
  }
`;

export const run = graphql`
  fragment queries_run on IngestRun @refetchable(queryName: "IngestRunRefetchQuery") {
    id state counts { total indexed failed }
  }
`;

export const token = graphql`
  fragment queries_token on ApiToken @refetchable(queryName: "ApiTokenRefetchQuery") {
    id name role
  }
`;

export const docPages = graphql`
  fragment queries_pages on Document
    @refetchable(queryName: "DocumentPagesQuery")
    @argumentDefinitions(first: { type: "Int", defaultValue: 10 }, after: { type: "String" }) {
    id fileUrl
    pages(first: $first, after: $after) @connection(key: "queries_pages") {
      totalCount
      edges { node { number text } }
    }
  }
`;

export const plans = graphql`
  fragment queries_plans on Query
    @refetchable(queryName: "PlansPaginationQuery")
    @argumentDefinitions(first: { type: "Int", defaultValue: 20 }, after: { type: "String" }) {
    plans(first: $first, after: $after) @connection(key: "queries_plans") {
      totalCount
      edges { node { id title focusAreas { id title plan { id } measures { id text } } } }
    }
  }
`;

export const status = graphql`
  subscription queriesStatusSubscription($id: ID!) {
    documentStatus(id: $id) { id status error pageCount }
  }
`;
