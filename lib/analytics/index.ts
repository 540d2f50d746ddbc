export * from './events';
export * from './figures';
export * from './dashboard';
