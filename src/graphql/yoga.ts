import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createSchema, createYoga, type YogaServerInstance } from 'graphql-yoga';
import type { Authenticator } from '../auth/authenticator.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/database.ts';
import type { Logger } from '../logger.ts';
import { DEFAULT_PAGE } from './arguments.ts';
import { createContext, type GraphqlContext, type StatusFeedPort } from './context.ts';
import { maskError } from './errors.ts';
import { limitsPlugin } from './limits.ts';
import { resolvers } from './resolvers.ts';

export const GRAPHQL_PATH = '/graphql';
const SCHEMA_FILE = path.resolve(import.meta.dirname, '../../graphql/schema.graphql');

export interface GraphqlDeps {
  db: Db;
  config: Config;
  authenticator: Authenticator;
  statusFeed: StatusFeedPort;
  log: Logger;
}

export type Graphql = YogaServerInstance<{}, GraphqlContext>;

/**
 * The GraphQL map API (graphql/schema.graphql) as a yoga instance serving GRAPHQL_PATH: queries over
 * POST/GET, the subscription over Server-Sent Events, GraphiQL on GET from a browser when enabled.
 */
export function createGraphql(deps: GraphqlDeps): Graphql {
  const { config, log } = deps;
  const gql = config.graphql;
  const glog = log.child({ component: 'graphql' });
  return createYoga<{}, GraphqlContext>({
    schema: createSchema<GraphqlContext>({ typeDefs: readFileSync(SCHEMA_FILE, 'utf8'), resolvers }),
    graphqlEndpoint: GRAPHQL_PATH,
    graphiql: gql.graphiql,
    landingPage: false,
    // Validation depends on the request's variables (the cost of `limit: $n`), so it is not cached.
    parserAndValidationCache: { validationCache: false },
    maskedErrors: { maskError: maskError(glog) },
    logging: {
      debug: (...args) => glog.debug({ args }, 'yoga'),
      info: (...args) => glog.info({ args }, 'yoga'),
      warn: (...args) => glog.warn({ args }, 'yoga'),
      error: (...args) => glog.error({ args }, 'yoga'),
    },
    plugins: [
      limitsPlugin({
        maxDepth: gql.maxDepth,
        maxCost: gql.maxCost,
        maxLimit: gql.maxLimit,
        introspection: gql.introspection,
        defaultLimit: (field) => (field.startsWith('find_ev_') ? gql.maxLimit : Math.min(DEFAULT_PAGE, gql.maxLimit)),
      }),
    ],
    context: ({ request }) =>
      createContext({
        db: deps.db,
        config,
        authenticator: deps.authenticator,
        statusFeed: deps.statusFeed,
        authorization: request.headers.get('authorization'),
      }),
  });
}
