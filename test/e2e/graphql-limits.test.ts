import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../fixtures/test-app.ts';
import { addLocations, bearerFor, createParty, errorCodes, gql } from '../fixtures/graphql-client.ts';

// GRAPHQL_* settings: small depth, cost and page limits, introspection and GraphiQL off.

let t: TestApp;
let bearer: string;

beforeAll(async () => {
  t = await startTestApp({
    env: { GRAPHQL_MAX_DEPTH: '4', GRAPHQL_MAX_COST: '200', GRAPHQL_MAX_LIMIT: '5', GRAPHQL_INTROSPECTION: 'false', GRAPHIQL: 'false' },
  });
  const party = await createParty(t, 'LIM');
  await addLocations(t, party, [{ name: 'Limits', lat: 14.5, lng: 121, evses: [{ uid: 'LIM-1', capabilities: ['QR_READER'], connectors: [{ standard: 'TYPE_2' }] }] }]);
  bearer = await bearerFor(t, 'CPO_OWNER', party.id);
});

afterAll(async () => {
  await t?.close();
});

describe('GraphQL limits', () => {
  it('refuses an operation above GRAPHQL_MAX_COST, counting list sizes from limit (literal or variable)', async () => {
    // 5 × (1 + 4 evses × (1 + 2 connectors × 3 + 3 capabilities × 2)) = 5 × 53 = 265 > 200
    const costly = 'query($n: Int) { locations(limit: $n) { evses { connectors { id status } capabilities { id } } } }';
    const refused = await gql(t, costly, { variables: { n: 5 }, authorization: bearer });
    expect(errorCodes(refused)).toEqual(['COST_LIMIT_EXCEEDED']);
    expect(refused.body.errors![0]!.message).toContain('estimated query cost 265 exceeds the limit of 200');
    expect(refused.body.data).toBeUndefined();
    // The same document with a smaller page passes: validation is not cached across variables.
    const fine = await gql(t, costly, { variables: { n: 1 }, authorization: bearer });
    expect(fine.body.errors).toBeUndefined();
    expect(fine.body.data.locations[0].evses[0].capabilities).toEqual([{ id: expect.any(Number) }]);
    // Fragments count as if written out.
    const viaFragment = await gql(t, 'query { locations(limit: 5) { ...L } } fragment L on Location { evses { connectors { id status } capabilities { id } } }', { authorization: bearer });
    expect(errorCodes(viaFragment)).toEqual(['COST_LIMIT_EXCEEDED']);
  });

  it('refuses an operation deeper than GRAPHQL_MAX_DEPTH, also through fragments', async () => {
    expect(errorCodes(await gql(t, '{ locations { evses { locations { evses { uid } } } } }', { authorization: bearer }))).toContain('DEPTH_LIMIT_EXCEEDED');
    expect(errorCodes(await gql(t, '{ locations { ...A } } fragment A on Location { evses { locations { evses { uid } } } }', { authorization: bearer }))).toContain('DEPTH_LIMIT_EXCEEDED');
    const ok = await gql(t, '{ locations { evses { locations { id } } } }', { authorization: bearer });
    expect(ok.body.errors).toBeUndefined();
  });

  it('caps limit at GRAPHQL_MAX_LIMIT', async () => {
    const res = await gql(t, '{ locations(limit: 6) { id } }', { authorization: bearer });
    expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.body.errors![0]!.message).toBe('limit must be an integer from 1 to 5');
  });

  it('introspection and GraphiQL can be switched off', async () => {
    const res = await gql(t, '{ __schema { queryType { name } } }');
    expect(errorCodes(res)).toEqual(['INTROSPECTION_DISABLED']);
    expect(errorCodes(await gql(t, '{ __type(name: "Location") { name } }'))).toEqual(['INTROSPECTION_DISABLED']);
    // __typename is not introspection of the schema
    expect((await gql(t, '{ locations { __typename } }', { authorization: bearer })).body.data.locations).toEqual([{ __typename: 'Location' }]);
    const page = await fetch(`${t.httpUrl}/graphql`, { headers: { accept: 'text/html' } });
    expect(await page.text()).not.toMatch(/graphiql/i);
  });
});
