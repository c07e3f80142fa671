import { OpenAPIRegistry, OpenApiGeneratorV31, extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

extendZodWithOpenApi(z);

export { OpenAPIRegistry, z };

export function createOpenApiRegistry(): OpenAPIRegistry {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearerAuth', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  registry.registerComponent('securitySchemes', 'basicAuth', { type: 'http', scheme: 'basic' });
  return registry;
}

/** The document served at /openapi.json: generated from the same zod schemas that validate requests. */
export function buildOpenApiDocument(registry: OpenAPIRegistry, serverUrl?: string) {
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'EV charging platform',
      version: '0.1.0',
      description:
        'OCPP 1.6J central system with operator, CPO, map, driver and Beckn APIs. Chargers connect over ' +
        'websocket to /ocpp/{chargePointId} with subprotocol ocpp1.6 (not described here).',
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
  });
}
