export * from './schema';
export * from './schemaDoc';
export * from './auth';
export * from './adapters';
