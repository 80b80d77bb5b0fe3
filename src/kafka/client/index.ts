// A small Kafka client on Skein's codec: a pipelined connection and helpers for produce, fetch and offsets.
export * from './connection.js';
export * from './consumer.js';
export * from './producer.js';
export * from './admin.js';
