/**
 * The package's pure core, usable without n8n: `require('n8n-nodes-resort-whatsapp')`.
 * The n8n nodes under nodes/ are thin adapters over these functions.
 */
export * from './whatsapp';
export * from './intent';
export * from './catalog';
export * from './booking';
export * from './privacy';
export * from './templates';
export * from './policy';
export * from './journey';
export * from './analytics';
export * from './links';
