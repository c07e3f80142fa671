import {
  getNamedType, getNullableType, isCompositeType, isListType, isObjectType, Kind,
  type ASTVisitor, type FieldNode, type FragmentDefinitionNode, type GraphQLCompositeType, type GraphQLField,
  type SelectionSetNode, type ValidationContext, type ValueNode,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { graphqlError } from './errors.ts';

// Depth and cost limits, and introspection switched off, as validation rules: a refused operation
// never reaches a resolver (nor the database).

/** How many items a list without a `limit` argument is assumed to hold, by field name. */
const ASSUMED_LIST_SIZE: Readonly<Record<string, number>> = { evses: 4, connectors: 2 };
const DEFAULT_LIST_SIZE = 3;

export interface Limits {
  maxDepth: number;
  maxCost: number;
  /** A list's `limit` counts as at most this much (a larger one is refused by the resolver anyway). */
  maxLimit: number;
  /** `limit` when a root list is asked without one: the resolvers' defaults. */
  defaultLimit: (fieldName: string) => number;
}

interface Measure {
  depth: number;
  cost: number;
}

function intArgument(node: FieldNode, name: string, variables: Record<string, unknown>): number | undefined {
  const arg = node.arguments?.find((a) => a.name.value === name);
  if (!arg) return undefined;
  const read = (value: ValueNode): unknown => (value.kind === Kind.INT ? Number(value.value) : value.kind === Kind.VARIABLE ? variables[value.name.value] : undefined);
  const v = read(arg.value);
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/**
 * Depth (introspection fields not counted) and estimated cost of a selection: every field costs 1
 * plus what is below it; a list multiplies that by its `limit` (capped at maxLimit) or an assumed size.
 */
export function measure(
  selectionSet: SelectionSetNode,
  parent: GraphQLCompositeType,
  fragments: (name: string) => FragmentDefinitionNode | undefined | null,
  variables: Record<string, unknown>,
  limits: Limits,
  root: boolean,
  seen: ReadonlySet<string> = new Set(),
): Measure {
  let depth = 0;
  let cost = 0;
  const add = (m: Measure) => {
    depth = Math.max(depth, m.depth);
    cost += m.cost;
  };
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      const name = selection.name.value;
      if (name.startsWith('__')) continue; // introspection: switched off separately, not limited here
      const field: GraphQLField<unknown, unknown> | undefined = isObjectType(parent) || 'getFields' in parent
        ? (parent as { getFields(): Record<string, GraphQLField<unknown, unknown>> }).getFields()[name]
        : undefined;
      if (!field) continue; // unknown field: graphql-js reports it
      const type = getNullableType(field.type);
      const named = getNamedType(field.type);
      const below = selection.selectionSet && isCompositeType(named)
        ? measure(selection.selectionSet, named, fragments, variables, limits, false, seen)
        : { depth: 0, cost: 0 };
      let size = 1;
      if (isListType(type)) {
        const limit = intArgument(selection, 'limit', variables);
        size = limit !== undefined
          ? Math.max(1, Math.min(limit, limits.maxLimit))
          : root ? limits.defaultLimit(name) : ASSUMED_LIST_SIZE[name] ?? DEFAULT_LIST_SIZE;
      }
      add({ depth: below.depth + 1, cost: size * (1 + below.cost) });
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      add(measure(selection.selectionSet, parent, fragments, variables, limits, root, seen));
    } else {
      const name = selection.name.value;
      const fragment = fragments(name);
      if (!fragment || seen.has(name)) continue; // unknown or cyclic: graphql-js reports it
      add(measure(fragment.selectionSet, parent, fragments, variables, limits, root, new Set([...seen, name])));
    }
  }
  return { depth, cost };
}

function limitsRule(limits: Limits, variables: Record<string, unknown>) {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(operation) {
      const schema = context.getSchema();
      const root = operation.operation === 'query' ? schema.getQueryType() : operation.operation === 'subscription' ? schema.getSubscriptionType() : schema.getMutationType();
      if (!root) return;
      const m = measure(operation.selectionSet, root, (name) => context.getFragment(name), variables, limits, true);
      if (m.depth > limits.maxDepth) {
        context.reportError(graphqlError('DEPTH_LIMIT_EXCEEDED', `query depth ${m.depth} exceeds the limit of ${limits.maxDepth}`, { depth: m.depth, max_depth: limits.maxDepth }));
      }
      if (m.cost > limits.maxCost) {
        context.reportError(graphqlError('COST_LIMIT_EXCEEDED', `estimated query cost ${m.cost} exceeds the limit of ${limits.maxCost}; ask for smaller pages or fewer fields`, { cost: m.cost, max_cost: limits.maxCost }));
      }
    },
  });
}

const noIntrospection = (context: ValidationContext): ASTVisitor => ({
  Field(node) {
    if (node.name.value === '__schema' || node.name.value === '__type') {
      context.reportError(graphqlError('INTROSPECTION_DISABLED', 'introspection is disabled on this server'));
    }
  },
});

export function limitsPlugin(limits: Limits & { introspection: boolean }): Plugin {
  return {
    onValidate({ addValidationRule, context }) {
      // The request's raw variables: a `limit: $n` counts with the value sent.
      const variables = ((context as { params?: { variables?: unknown } }).params?.variables ?? {}) as Record<string, unknown>;
      addValidationRule(limitsRule(limits, typeof variables === 'object' && variables !== null ? variables : {}));
      if (!limits.introspection) addValidationRule(noIntrospection);
    },
  };
}
