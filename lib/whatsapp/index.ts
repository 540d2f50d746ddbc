export * from './errors';
export * from './retry';
export * from './signature';
export * from './payloads';
export * from './inbound';
export * from './seenKeys';
export * from './rateLimiter';
export * from './sender';
