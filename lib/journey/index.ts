export * from './record';
export * from './lease';
export * from './recovery';
