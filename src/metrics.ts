import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per app instance (no global state), served at GET /metrics. */
export interface Metrics {
  registry: Registry;
  chargersConnected: Gauge;
  ocppCalls: Counter<'action' | 'direction' | 'outcome'>;
  ocppCallSeconds: Histogram<'action' | 'direction'>;
  ocppBadMessages: Counter;
  writeBatchSize: Histogram<'writer'>;
  writeBatchSeconds: Histogram<'writer'>;
  writeBatchErrors: Counter<'writer'>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    chargersConnected: new Gauge({
      name: 'ocpp_chargers_connected',
      help: 'Charge points with an open websocket on this node',
      registers: [registry],
    }),
    ocppCalls: new Counter({
      name: 'ocpp_calls_total',
      help: 'OCPP calls handled (direction=incoming: charger to server; outgoing: server to charger)',
      labelNames: ['action', 'direction', 'outcome'],
      registers: [registry],
    }),
    ocppCallSeconds: new Histogram({
      name: 'ocpp_call_duration_seconds',
      help: 'Time from receiving an OCPP call to sending its answer (incoming) or from sending to answer (outgoing)',
      labelNames: ['action', 'direction'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    ocppBadMessages: new Counter({
      name: 'ocpp_bad_messages_total',
      help: 'Frames from chargers that were not valid OCPP-J (answered with a CALLERROR or ignored)',
      registers: [registry],
    }),
    writeBatchSize: new Histogram({
      name: 'db_write_batch_size',
      help: 'Items committed per group-commit batch',
      labelNames: ['writer'],
      buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500],
      registers: [registry],
    }),
    writeBatchSeconds: new Histogram({
      name: 'db_write_batch_duration_seconds',
      help: 'Time to commit one group-commit batch',
      labelNames: ['writer'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    writeBatchErrors: new Counter({
      name: 'db_write_batch_errors_total',
      help: 'Group-commit batches that failed (their items are retried one by one)',
      labelNames: ['writer'],
      registers: [registry],
    }),
  };
}
