export * from './events';
export * from './figures';
