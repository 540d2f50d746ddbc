export * from './record';
export * from './lease';
export * from './recovery';
export * from './sendTag';
